import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { endianness } from 'node:os';
import fc from 'fast-check';
import { parseDescr, readValues, writeValues, type ElementType } from '../../src/io/npyDtype.js';

const HOST_LE = endianness() === 'LE';

/** Bitwise equality of two float64 arrays (distinguishes -0 from 0, compares NaNs). */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

describe('parseDescr', () => {
  it('reads the byte order, kind and size of float, integer and bool descrs', () => {
    const cases: [string, ElementType][] = [
      ['<f8', { kind: 'f', size: 8, littleEndian: true }],
      ['>f4', { kind: 'f', size: 4, littleEndian: false }],
      ['<f2', { kind: 'f', size: 2, littleEndian: true }],
      ['>i2', { kind: 'i', size: 2, littleEndian: false }],
      ['<i8', { kind: 'i', size: 8, littleEndian: true }],
      ['|i1', { kind: 'i', size: 1, littleEndian: HOST_LE }],
      ['|u1', { kind: 'u', size: 1, littleEndian: HOST_LE }],
      ['>u8', { kind: 'u', size: 8, littleEndian: false }],
      ['|b1', { kind: 'b', size: 1, littleEndian: HOST_LE }],
      // '=' and no order character: the writer's native order, taken to be this machine's
      ['=f8', { kind: 'f', size: 8, littleEndian: HOST_LE }],
      ['f4', { kind: 'f', size: 4, littleEndian: HOST_LE }],
    ];
    for (const [descr, expected] of cases) assert.deepEqual(parseDescr(descr), expected, descr);
  });

  it('refuses other kinds, sizes, and "|" on multi-byte types', () => {
    for (const descr of ['>f16', '<f3', '<i3', '<b2', '|f8', '<c16', '|O', '<U3', '|V8', '<M8']) {
      assert.equal(parseDescr(descr), undefined, descr);
    }
  });
});

describe('readValues', () => {
  const read = (descr: string, bytes: number[], count = bytes.length / Number(descr.slice(2))) =>
    Array.from(readValues(Uint8Array.from(bytes), parseDescr(descr) as ElementType, count));

  it('float16: zeros, subnormals, normals, the largest, infinities and NaN', () => {
    // little-endian binary16 bit patterns
    const halves = [0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0xc000, 0x7bff, 0x7c00, 0xfc00];
    const expected = [
      0,
      -0,
      2 ** -24,
      1023 * 2 ** -24,
      2 ** -14,
      1,
      -2,
      65504,
      Infinity,
      -Infinity,
    ];
    const got = read(
      '<f2',
      halves.flatMap((h) => [h & 0xff, h >> 8]),
    );
    got.forEach((x, k) => assert.ok(Object.is(x, expected[k]), `${halves[k]}: ${x}`));
    assert.ok(Number.isNaN(read('<f2', [0x01, 0x7c])[0]));
    assert.deepEqual(read('>f2', [0x3c, 0x00]), [1]);
  });

  it('integers of every size and order, 64-bit ones rounded beyond 2^53', () => {
    assert.deepEqual(read('|i1', [0x80, 0x7f]), [-128, 127]);
    assert.deepEqual(read('>i2', [0xff, 0xfe]), [-2]);
    assert.deepEqual(read('<i4', [0xfe, 0xff, 0xff, 0xff]), [-2]);
    assert.deepEqual(read('<u4', [0xfe, 0xff, 0xff, 0xff]), [2 ** 32 - 2]);
    assert.deepEqual(read('>u2', [0x01, 0x02]), [258]);
    assert.deepEqual(read('<i8', [0, 0, 0, 0, 0, 0, 0, 0x80]), [-(2 ** 63)]);
    assert.deepEqual(read('>u8', [0, 0x20, 0, 0, 0, 0, 0, 1]), [2 ** 53]); // 2^53 + 1 rounds
    assert.deepEqual(read('|b1', [1, 0, 1]), [1, 0, 1]);
  });

  it('reads only `count` elements of a view at any offset into a larger buffer', () => {
    const pool = new Uint8Array(3 + 16 + 5).fill(0xab);
    new DataView(pool.buffer).setFloat64(3, 0.1, true);
    new DataView(pool.buffer).setFloat64(11, -7, true);
    // '<f8' on a little-endian host takes the copying fast path, '>f8' the DataView path
    const values = readValues(pool.subarray(3), parseDescr('<f8') as ElementType, 2);
    assert.deepEqual(Array.from(values), [0.1, -7]);
    const big = new Uint8Array(1 + 8 * 2);
    new DataView(big.buffer).setFloat64(1, 2.5, false);
    new DataView(big.buffer).setFloat64(9, 2 ** -1074, false);
    const swapped = readValues(big.subarray(1), parseDescr('>f8') as ElementType, 2);
    assert.deepEqual(Array.from(swapped), [2.5, 5e-324]);
  });
});

describe('writeValues', () => {
  const value = fc.oneof(fc.constantFrom(-0, 0, 5e-324, Infinity, -Infinity, NaN), fc.double());

  it('f8 then readValues is bit-for-bit the input, at any start offset (property)', () => {
    fc.assert(
      fc.property(fc.array(value), fc.nat(9), (values, start) => {
        const data = Float64Array.from(values);
        const out = new Uint8Array(start + 8 * data.length);
        writeValues(data, 'f8', out, start);
        const back = readValues(out.subarray(start), parseDescr('<f8') as ElementType, data.length);
        assert.ok(sameBits(back, data));
      }),
      { numRuns: 300 },
    );
  });

  it('f4 then readValues is the input rounded to float32 (property)', () => {
    fc.assert(
      fc.property(fc.array(value), fc.nat(9), (values, start) => {
        const data = Float64Array.from(values);
        const out = new Uint8Array(start + 4 * data.length);
        writeValues(data, 'f4', out, start);
        const back = readValues(out.subarray(start), parseDescr('<f4') as ElementType, data.length);
        back.forEach((x, k) => assert.ok(Object.is(x, Math.fround(data[k])), `${x}`));
      }),
      { numRuns: 300 },
    );
  });
});
