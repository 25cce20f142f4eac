import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { UserError } from '../../src/errors.js';
import { decodeNpy, encodeNpy, readNpyMatrix, writeNpy } from '../../src/io/npy.js';

// Written by NumPy with test/fixtures/npy/make_fixtures.py; the formulas below are the script's.
const FIXTURES = fileURLToPath(new URL('../fixtures/npy/', import.meta.url));
const fixture = (name: string): string => join(FIXTURES, name);
const load = async (name: string) => decodeNpy(await readFile(fixture(name)), name);

/** Row-major values of `shape` from `f(index)`, the way the fixture script builds its arrays. */
function fromFormula(shape: number[], f: (index: number[]) => number): Float64Array {
  const count = shape.reduce((p, d) => p * d, 1);
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const index: number[] = [];
    let rest = k;
    for (let a = shape.length - 1; a >= 0; a--) {
      index.unshift(rest % shape[a]);
      rest = Math.floor(rest / shape[a]);
    }
    out[k] = f(index);
  }
  return out;
}
const GRID = fromFormula([3, 4], ([i, j]) => i * 10 + j + 0.5);
const TALL = fromFormula([1000, 3], ([i, j]) => i * 10 + j + 0.5);
const INTS = fromFormula([3, 4], ([i, j]) => i * 10 - j * 3);
const CUBE = fromFormula([2, 3, 4], ([i, j, k]) => i * 100 + j * 10 + k);

/** Bitwise equality of two float64 arrays (distinguishes -0 from 0, compares NaNs). */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

describe('decodeNpy on files written by NumPy', () => {
  const cases: [string, string, number[], Float64Array][] = [
    ['f8_2d.npy', '<f8', [3, 4], GRID],
    ['f4_2d.npy', '<f4', [3, 4], GRID],
    ['f8_1d.npy', '<f8', [5], fromFormula([5], ([i]) => i * 0.25 - 1)],
    ['f8_tall.npy', '<f8', [1000, 3], TALL],
    ['f8_scalar.npy', '<f8', [], Float64Array.of(2.5)],
    ['f8_empty.npy', '<f8', [0, 5], new Float64Array(0)],
    ['f8_be.npy', '>f8', [3, 4], GRID],
    ['f4_be.npy', '>f4', [3, 4], GRID],
    ['f8_fortran.npy', '<f8', [3, 4], GRID],
    ['f8_3d.npy', '<f8', [2, 3, 4], CUBE],
    ['f8_3d_fortran.npy', '<f8', [2, 3, 4], CUBE],
    ['i4_2d.npy', '<i4', [3, 4], INTS],
    ['i8_2d.npy', '<i8', [3, 4], INTS.map((x) => x - 2 ** 40)],
    ['i2_be.npy', '>i2', [3, 4], INTS],
    ['u1_2d.npy', '|u1', [3, 4], INTS.map((x) => x + 9)],
    ['b1_1d.npy', '|b1', [3], Float64Array.of(1, 0, 1)],
    ['v2_f8.npy', '<f8', [3, 4], GRID],
    ['v3_f8.npy', '<f8', [3, 4], GRID],
  ];
  for (const [name, dtype, shape, expected] of cases) {
    it(`${name}: ${dtype} ${JSON.stringify(shape)}`, async () => {
      const got = await load(name);
      assert.equal(got.dtype, dtype);
      assert.deepEqual(got.shape, shape);
      assert.deepEqual(got.data, expected);
    });
  }

  it('f8_special.npy keeps -0, subnormals, infinities, NaN and the largest double', async () => {
    const expected = Float64Array.of(
      -0,
      5e-324,
      -5e-324,
      2.2250738585072014e-308,
      Infinity,
      -Infinity,
      NaN,
      Number.MAX_VALUE,
    );
    assert.ok(sameBits((await load('f8_special.npy')).data, expected));
  });
});

describe('encodeNpy writes the bytes numpy.save writes', () => {
  const cases: [string, { shape: number[]; data: Float64Array }, 'f8' | 'f4'][] = [
    ['f8_2d.npy', { shape: [3, 4], data: GRID }, 'f8'],
    ['f4_2d.npy', { shape: [3, 4], data: GRID }, 'f4'],
    ['f8_1d.npy', { shape: [5], data: fromFormula([5], ([i]) => i * 0.25 - 1) }, 'f8'],
    ['f8_tall.npy', { shape: [1000, 3], data: TALL }, 'f8'],
    ['f8_scalar.npy', { shape: [], data: Float64Array.of(2.5) }, 'f8'],
    ['f8_empty.npy', { shape: [0, 5], data: new Float64Array(0) }, 'f8'],
    ['f8_3d.npy', { shape: [2, 3, 4], data: CUBE }, 'f8'],
  ];
  for (const [name, array, dtype] of cases) {
    it(`${name}`, async () => {
      const numpyBytes = new Uint8Array(await readFile(fixture(name)));
      assert.deepEqual(encodeNpy(array, dtype), numpyBytes);
    });
  }

  it('a Matrix encodes as shape [rows, cols]', async () => {
    const numpyBytes = new Uint8Array(await readFile(fixture('f8_2d.npy')));
    assert.deepEqual(encodeNpy({ rows: 3, cols: 4, data: GRID }), numpyBytes);
  });

  it('rejects a shape that does not match the data (a caller bug, not a UserError)', () => {
    assert.throws(() => encodeNpy({ shape: [2, 2], data: new Float64Array(3) }), RangeError);
    assert.throws(() => encodeNpy({ shape: [-1], data: new Float64Array(0) }), RangeError);
  });

  it('falls back to format 2.0 only when the header outgrows 1.0', () => {
    // 30000 axes of length 1: a header far over 65535 bytes (NumPy itself caps rank at 64).
    const shape = new Array<number>(30000).fill(1);
    const bytes = encodeNpy({ shape, data: Float64Array.of(7) });
    assert.equal(bytes[6], 2);
    const headerLen = new DataView(bytes.buffer).getUint32(8, true);
    assert.equal((12 + headerLen) % 64, 0);
    const back = decodeNpy(bytes);
    assert.deepEqual(back.shape, shape);
    assert.deepEqual(back.data, Float64Array.of(7));
  });
});

describe('corrupt or unsupported files give a one-line UserError naming file and problem', () => {
  const cases: [string, RegExp][] = [
    ['bad_magic.npy', /not a \.npy file \(bad magic\)/],
    ['zero_bytes.npy', /not a \.npy file \(empty file\)/],
    ['truncated_header.npy', /truncated \.npy file \(header needs 128 bytes, file has 40\)/],
    ['truncated_data.npy', /data is 88 bytes but shape \(3, 4\) of '<f8' needs 96 bytes/],
    ['extra_data.npy', /data is 104 bytes but shape \(3, 4\) of '<f8' needs 96 bytes/],
    ['bad_version.npy', /unsupported \.npy format version 9\.0/],
    ['bad_header.npy', /cannot parse \.npy header \(unexpected end of header at character 118\)/],
    ['missing_key.npy', /\.npy header lacks 'fortran_order'/],
    ['bad_shape.npy', /shape is not a tuple of non-negative integers: \(3, -4\)/],
    ['object.npy', /unsupported dtype '\|O'/],
    ['complex.npy', /unsupported dtype '<c16'/],
    ['strings.npy', /unsupported dtype '<U3'/],
    ['structured.npy', /unsupported dtype \(structured array\)/],
  ];
  for (const [name, problem] of cases) {
    it(name, async () => {
      await assert.rejects(readNpyMatrix(fixture(name)), (e: unknown) => {
        assert.ok(e instanceof UserError, `expected UserError, got ${String(e)}`);
        assert.equal(e.exitCode, 2);
        assert.ok(e.message.startsWith(`${fixture(name)}: `), e.message);
        assert.match(e.message, problem);
        assert.doesNotMatch(e.message, /\n/);
        return true;
      });
    });
  }

  it('a missing file', async () => {
    const path = fixture('does_not_exist.npy');
    await assert.rejects(readNpyMatrix(path), new UserError(`${path}: no such file`));
  });

  it('names the source given to decodeNpy', () => {
    assert.throws(
      () => decodeNpy(new TextEncoder().encode('hello world'), 'basis.npy'),
      new UserError('basis.npy: not a .npy file (bad magic)'),
    );
  });

  it('headers that are not a plain dict of the three keys', () => {
    const withHeader = (text: string, dataBytes = 0) => {
      const header = text + ' '.repeat(63 - ((10 + text.length) % 64)) + '\n';
      const bytes = new Uint8Array(10 + header.length + dataBytes);
      bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length, 0]);
      bytes.set(new TextEncoder().encode(header), 10);
      return bytes;
    };
    const problems: [string, RegExp][] = [
      ["['descr']", /header is not a dict/],
      ["{'descr': '<f8', 'fortran_order': False, 'shape': (), 'x': 1}", /unexpected key 'x'/],
      ["{'descr': '<f8', 'fortran_order': 0, 'shape': ()}", /fortran_order is not a bool: 0/],
      ["{'descr': '<f8', 'fortran_order': False, 'shape': (5)}", /not a tuple.*: 5$/],
      ["{'descr': '<f8', 'fortran_order': False, 'shape': ()} x", /after the header dict/],
      ["{'descr': '<f8\n', 'fortran_order': False, 'shape': ()}", /newline in string/],
      ["{'descr': '>f16', 'fortran_order': False, 'shape': ()}", /unsupported dtype '>f16'/],
      ["{'descr': '|f8', 'fortran_order': False, 'shape': ()}", /unsupported dtype '\|f8'/],
    ];
    for (const [text, problem] of problems) {
      assert.throws(
        () => decodeNpy(withHeader(text), 'h.npy'),
        (e: unknown) =>
          e instanceof UserError && /^h\.npy: [^\n]*$/.test(e.message) && problem.test(e.message),
        text,
      );
    }
    // Python 2 longs (`3L`) and a shape written as a list-free tuple with odd spacing still load.
    const py2 = decodeNpy(withHeader("{'descr':'<f8','fortran_order':False,'shape':( 1L , )}", 8));
    assert.deepEqual(py2.shape, [1]);
  });
});

describe('readNpyMatrix and writeNpy', () => {
  it('reads 2-D as is and 1-D as a single row', async () => {
    assert.deepEqual(await readNpyMatrix(fixture('f8_fortran.npy')), {
      rows: 3,
      cols: 4,
      data: GRID,
    });
    const row = await readNpyMatrix(fixture('f8_1d.npy'));
    assert.equal(row.rows, 1);
    assert.equal(row.cols, 5);
  });

  it('rejects other ranks; reads a 0 × n array as a rank-0 basis', async () => {
    await assert.rejects(
      readNpyMatrix(fixture('f8_3d.npy')),
      /expected a 1-D or 2-D array, got 3-D shape \(2, 3, 4\)/,
    );
    await assert.rejects(readNpyMatrix(fixture('f8_scalar.npy')), /got 0-D shape \(\)/);
    const empty = await readNpyMatrix(fixture('f8_empty.npy'));
    assert.deepEqual([empty.rows, empty.cols, empty.data.length], [0, 5, 0]);
  });

  it('writes a file that reads back exactly, and reports unwritable paths', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spanrec-npy-'));
    try {
      const m = { rows: 2, cols: 3, data: Float64Array.of(1, -0, NaN, Infinity, 5e-324, 0.1) };
      const path = join(dir, 'basis.npy');
      await writeNpy(path, m);
      const back = await readNpyMatrix(path);
      assert.equal(back.rows, 2);
      assert.ok(sameBits(back.data, m.data));
      const bad = join(dir, 'missing-dir', 'basis.npy');
      await assert.rejects(writeNpy(bad, m), new UserError(`${bad}: no such directory`));
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('round trips (property-based)', () => {
  // Specials first so every run exercises them, then any double fast-check can produce.
  const SPECIALS = [-0, 0, 5e-324, -5e-324, 2.2250738585072014e-308, Infinity, -Infinity, NaN];
  const value = fc.oneof(fc.constantFrom(...SPECIALS), fc.double());
  const array = fc
    .array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 })
    .chain((shape) =>
      fc
        .array(value, {
          minLength: shape.reduce((p, d) => p * d, 1),
          maxLength: shape.reduce((p, d) => p * d, 1),
        })
        .map((values) => ({ shape, data: Float64Array.from(values) })),
    );

  it('f8: decode(encode(x)) is bit-for-bit x, and the header is NumPy-aligned', () => {
    fc.assert(
      fc.property(array, ({ shape, data }) => {
        const bytes = encodeNpy({ shape, data });
        const headerLen = new DataView(bytes.buffer).getUint16(8, true);
        assert.equal((10 + headerLen) % 64, 0);
        assert.equal(bytes[10 + headerLen - 1], 0x0a);
        const back = decodeNpy(bytes);
        assert.deepEqual(back.shape, shape);
        assert.equal(back.dtype, '<f8');
        assert.ok(sameBits(back.data, data));
      }),
      { numRuns: 300 },
    );
  });

  it('f4: decode(encode(x)) is x rounded to float32', () => {
    fc.assert(
      fc.property(array, ({ shape, data }) => {
        const back = decodeNpy(encodeNpy({ shape, data }, 'f4'));
        assert.equal(back.dtype, '<f4');
        assert.deepEqual(back.shape, shape);
        back.data.forEach((x, k) => assert.ok(Object.is(x, Math.fround(data[k])), `${x}`));
      }),
      { numRuns: 300 },
    );
  });

  it('decoding a Buffer slice of a larger pool reads only its own bytes', () => {
    fc.assert(
      fc.property(array, fc.integer({ min: 0, max: 15 }), ({ shape, data }, offset) => {
        const bytes = encodeNpy({ shape, data });
        const pool = new Uint8Array(offset + bytes.length + 7).fill(0xab);
        pool.set(bytes, offset);
        const back = decodeNpy(pool.subarray(offset, offset + bytes.length));
        assert.ok(sameBits(back.data, data));
      }),
    );
  });
});
