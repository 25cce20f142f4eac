import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  encodeRequest,
  parseAnswer,
  quote,
  type ParsedAnswer,
} from '../../src/oracle/cmdProtocol.js';

/** Bitwise equality of two float64 arrays (distinguishes -0 from 0). */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

function rejected(answer: ParsedAnswer): { fatal: boolean; message: string } {
  assert.ok(!answer.ok, 'expected the answer to be rejected');
  return answer;
}

/** 1 to 4 rows (0 to 4 with `allowEmpty`) of 1 to 5 finite doubles, -0 and extremes included. */
function finiteRows(allowEmpty: boolean): fc.Arbitrary<{ cols: number; data: Float64Array }> {
  return fc.integer({ min: 1, max: 5 }).chain((cols) =>
    fc
      .integer({ min: allowEmpty ? 0 : 1, max: 4 })
      .chain((rows) =>
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), {
          minLength: rows * cols,
          maxLength: rows * cols,
        }),
      )
      .map((values) => ({ cols, data: Float64Array.from(values) })),
  );
}

describe('encodeRequest', () => {
  it('-0 keeps its sign in the request text', () => {
    const text = encodeRequest(new Float64Array([-0, 0, 1e21, -1.5e-7]), 2);
    assert.equal(text, '{"inputs":[[-0.0,0],[1e+21,-1.5e-7]]}\n');
    assert.ok(Object.is((JSON.parse(text) as { inputs: number[][] }).inputs[0][0], -0));
  });

  it('JSON.parse of the line gives back every finite row exactly (property)', () => {
    fc.assert(
      fc.property(finiteRows(true), ({ cols, data }) => {
        const text = encodeRequest(data, cols);
        assert.ok(text.endsWith('}\n') && !text.slice(0, -1).includes('\n'));
        const { inputs } = JSON.parse(text) as { inputs: number[][] };
        assert.equal(inputs.length, data.length / cols);
        assert.ok(inputs.every((r) => r.length === cols));
        assert.ok(sameBits(Float64Array.from(inputs.flat()), data));
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseAnswer accepts', () => {
  it('rows of equal length, learning m from row 0 or checking a known m', () => {
    const line = '{"outputs": [[1, 2.5], [-3, 4e-300]]}';
    for (const expectedCols of [undefined, 2]) {
      const answer = parseAnswer(line, 2, expectedCols);
      assert.ok(answer.ok);
      assert.equal(answer.cols, 2);
      assert.deepEqual(answer.data, Float64Array.of(1, 2.5, -3, 4e-300));
    }
  });

  it('an empty answer to an empty request', () => {
    assert.deepEqual(parseAnswer('{"outputs": []}', 0, undefined), {
      ok: true,
      cols: 0,
      data: new Float64Array(),
    });
  });

  it('exactly the values encodeRequest wrote, -0 included (property)', () => {
    fc.assert(
      fc.property(finiteRows(false), ({ cols, data }) => {
        const line = encodeRequest(data, cols).replace('"inputs"', '"outputs"').trimEnd();
        const answer = parseAnswer(line, data.length / cols, undefined);
        assert.ok(answer.ok);
        assert.equal(answer.cols, cols);
        assert.ok(sameBits(answer.data, data));
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseAnswer rejects', () => {
  // [line, rows, expected m, message pattern, fatal (ends the session)]
  const cases: [string, number, number | undefined, RegExp, boolean][] = [
    [
      'Loading model... done',
      1,
      undefined,
      /^answer to request # is not JSON: 'Loading model\.\.\. done'$/,
      true,
    ],
    ['[[1, 2]]', 1, undefined, /^answer to request # is not a JSON object: '\[\[1, 2\]\]'$/, true],
    ['{"result": [[1, 2]]}', 1, undefined, /^answer to request # has no "outputs" array: /, true],
    ['{"outputs": [[1, 2]]}', 2, undefined, /^answer to request # has 1 rows, expected 2$/, true],
    [
      '{"outputs": [[1, 2], 3]}',
      2,
      undefined,
      /^answer to request #: row 1 is not an array$/,
      true,
    ],
    [
      '{"outputs": [[1, 2], [1, 2, 0]]}',
      2,
      undefined,
      /: row 1 has 3 entries, expected 2 like row 0$/,
      true,
    ],
    [
      '{"outputs": [[1, 2, 3]]}',
      1,
      2,
      /^answer to request #: row 0 has 3 entries, expected m = 2$/,
      true,
    ],
    ['{"outputs": [[]]}', 1, undefined, /: row 0 is empty, expected m >= 1 scores$/, true],
    [
      '{"outputs": [["1.5", 2]]}',
      1,
      undefined,
      /: row 0, entry 0 is not a number \('"1\.5"'\)$/,
      true,
    ],
    // a JSON string "NaN" is junk; only a bare NaN (Python's json.dumps) is a NaN score
    [
      '{"outputs": [["NaN", 2]]}',
      1,
      undefined,
      /: row 0, entry 0 is not a number \('"NaN"'\)$/,
      true,
    ],
    [
      '{"outputs": [[NaN, 2.0]]}',
      1,
      undefined,
      /^answer to request #: row 0, entry 0 is NaN$/,
      false,
    ],
    ['{"outputs": [[1.0, -Infinity]]}', 1, undefined, /: row 0, entry 1 is -Infinity$/, false],
    ['{"outputs": [[1e999, 2]]}', 1, undefined, /: row 0, entry 0 is Infinity$/, false],
    ['{"outputs": [[null, 2.0]]}', 1, undefined, /: row 0, entry 0 is null$/, false],
    [
      '{"error": "negative input\\nthis model only takes x >= 0"}',
      2,
      undefined,
      /^program reported an error for request #: negative input \| this model only takes x >= 0$/,
      false,
    ],
    ['{"error": {"code": 3}}', 1, undefined, /request #: \{"code":3\}$/, false],
  ];
  for (const [line, rows, expectedCols, pattern, fatal] of cases) {
    it(`${line} (${fatal ? 'fatal' : 'this query only'})`, () => {
      const answer = rejected(parseAnswer(line, rows, expectedCols));
      assert.match(answer.message, pattern);
      assert.equal(answer.fatal, fatal);
      // '#' is where the caller puts the request number; messages stay on one line
      assert.equal(answer.message.split('#').length, 2, answer.message);
      assert.ok(!answer.message.includes('\n'), answer.message);
    });
  }
});

describe('message quoting', () => {
  it('quote puts a one-line, bounded excerpt in quotes', () => {
    assert.equal(quote('Loading\nmodel'), "'Loading | model'");
    const junk = quote('z'.repeat(1e6));
    assert.equal(junk, `'${'z'.repeat(300)}…'`);
  });
});
