import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { UserError } from '../../src/errors.js';
import { checkQueryInput } from '../../src/oracle/queryInput.js';

/** A rows × cols batch of finite doubles (-0 and extremes included). */
const finiteBatch = fc
  .record({ rows: fc.integer({ min: 0, max: 5 }), cols: fc.integer({ min: 1, max: 6 }) })
  .chain(({ rows, cols }) =>
    fc
      .array(fc.double({ noNaN: true, noDefaultInfinity: true }), {
        minLength: rows * cols,
        maxLength: rows * cols,
      })
      .map((values) => ({ rows, cols, data: Float64Array.from(values) })),
  );

function userErrorMatching(pattern: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof UserError, `not a UserError: ${String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.ok(!e.message.includes('\n'), e.message);
    assert.match(e.message, pattern);
    return true;
  };
}

test('every finite batch of the right width passes (property)', () => {
  fc.assert(fc.property(finiteBatch, (m) => checkQueryInput(m, m.cols)));
});

test('a non-finite entry is named by its row and column, the first one wins (property)', () => {
  fc.assert(
    fc.property(
      finiteBatch.filter((m) => m.rows > 0),
      fc.nat(),
      fc.constantFrom(NaN, Infinity, -Infinity),
      (m, at, bad) => {
        const i = at % m.data.length;
        const last = m.data.length - 1;
        if (i < last) m.data[last] = NaN; // a later bad entry must not be the one reported
        m.data[i] = bad;
        const row = Math.floor(i / m.cols);
        const col = i % m.cols;
        assert.throws(
          () => checkQueryInput(m, m.cols),
          userErrorMatching(new RegExp(`row ${row}, column ${col} is ${bad}`)),
        );
      },
    ),
  );
});

test('a wrong width, a short buffer or a bad row count is refused', () => {
  const data = new Float64Array(6);
  assert.throws(
    () => checkQueryInput({ rows: 2, cols: 3, data }, 4),
    userErrorMatching(/rows have 3 columns, the model takes 4 inputs/),
  );
  assert.throws(
    () => checkQueryInput({ rows: 3, cols: 3, data }, 3),
    userErrorMatching(/3 rows × 3 columns need 9 values, the matrix holds 6/),
  );
  assert.throws(
    () => checkQueryInput({ rows: 1.5, cols: 4, data }, 4),
    userErrorMatching(/row count must be a non-negative integer, got 1\.5/),
  );
  checkQueryInput({ rows: 0, cols: 4, data: new Float64Array() }, 4);
});
