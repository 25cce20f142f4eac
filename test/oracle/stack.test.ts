import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BudgetExhaustedError, UserError } from '../../src/errors.js';
import { fromRows, type Matrix } from '../../src/linalg/matrix.js';
import { AccessOracle, formatAccess, parseAccess } from '../../src/oracle/access.js';
import type { Oracle } from '../../src/oracle/oracle.js';
import { buildOracleStack } from '../../src/oracle/stack.js';

/** A mock model whose outputs are fixed functions of the input, counting what it sees. */
class MockModel implements Oracle {
  readonly inputDim = 3;
  readonly outputDim = 4;
  readonly precision = 'f64' as const;
  rowsSeen = 0;
  async query(inputs: Matrix): Promise<Matrix> {
    this.rowsSeen += inputs.rows;
    const out = new Float64Array(inputs.rows * 4);
    for (let r = 0; r < inputs.rows; r++) {
      const [a, b, c] = inputs.data.subarray(r * 3, r * 3 + 3);
      out.set([a + b, b - c, a * c, -a], r * 4);
    }
    return { rows: inputs.rows, cols: 4, data: out };
  }
  async dispose(): Promise<void> {}
}

const batch = fromRows([
  [1, 2, 3],
  [-1, 0.5, 2],
]);

test('access levels parse and format back to the same text', () => {
  for (const text of ['scores', 'score:2', 'label', 'threshold:1:0.5', 'threshold:0:-3']) {
    assert.equal(formatAccess(parseAccess(text)), text);
  }
  for (const bad of [
    'score',
    'score:x',
    'score:-1',
    'threshold:1',
    'threshold:1:abc',
    'all',
    'label:1',
  ]) {
    assert.throws(() => parseAccess(bad), UserError, bad);
  }
});

test('score:I, label and threshold reveal only what they allow', async () => {
  const model = new MockModel();
  const full = await model.query(batch);
  const score = await new AccessOracle(model, parseAccess('score:1')).query(batch);
  assert.deepEqual(Array.from(score.data), [full.data[1], full.data[5]]);
  assert.equal(score.cols, 1);
  const label = await new AccessOracle(model, parseAccess('label')).query(batch);
  // outputs [3, -1, 3, -1] (tie: the first wins) and [-0.5, -1.5, -2, 1]
  assert.deepEqual(Array.from(label.data), [0, 3]);
  const bit = await new AccessOracle(model, parseAccess('threshold:2:0')).query(batch);
  assert.deepEqual(Array.from(bit.data), [1, 0]);
});

test('an out-of-range output index is a clear error, before any query when m is known', async () => {
  const model = new MockModel();
  assert.throws(() => new AccessOracle(model, parseAccess('score:9')), /only 4 outputs/);
  assert.equal(model.rowsSeen, 0);
  // A model that learns m from its first answer (cmd:) can only be checked then.
  const lazy: Oracle = {
    inputDim: 3,
    get outputDim(): number {
      throw new Error('unknown until the first answer');
    },
    precision: 'f64',
    query: (x) => model.query(x),
    dispose: async () => {},
  };
  await assert.rejects(
    new AccessOracle(lazy, parseAccess('score:9')).query(batch),
    /only 4 outputs/,
  );
});

test('restricted access never leaks more than its values (property)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 3, maxLength: 3 }),
        {
          minLength: 1,
          maxLength: 8,
        },
      ),
      fc.constantFrom('label', 'threshold:0:0', 'threshold:3:0.5', 'score:2'),
      async (rowList, access) => {
        const level = parseAccess(access);
        const out = await new AccessOracle(new MockModel(), level).query(fromRows(rowList, 3));
        assert.equal(out.cols, 1);
        for (const v of out.data) {
          if (level.kind === 'label') assert.ok(Number.isInteger(v) && v >= 0 && v < 4);
          if (level.kind === 'threshold') assert.ok(v === 0 || v === 1);
        }
      },
    ),
    { numRuns: 50 },
  );
});

test('the counter counts every row once, and the budget is never exceeded', async () => {
  const model = new MockModel();
  const stack = buildOracleStack(model, { kind: 'scores' }, 5);
  await stack.oracle.query(batch);
  await stack.oracle.query(batch);
  assert.equal(stack.counter.queries, 4);
  await assert.rejects(stack.oracle.query(batch), BudgetExhaustedError);
  assert.equal(stack.counter.queries, 4, 'a refused batch sends nothing');
  assert.equal(model.rowsSeen, 4);
  await stack.oracle.query(fromRows([[0, 0, 0]]));
  assert.equal(stack.counter.queries, 5);
  assert.equal(stack.budget?.remaining, 0);
  assert.equal(model.rowsSeen, stack.counter.queries);
});

test('rows a backend evaluated while opening the model are counted and budgeted', async () => {
  const model = new MockModel();
  const withSetup: Oracle = {
    inputDim: 3,
    outputDim: 4,
    precision: 'f64',
    setupQueries: 1,
    query: (x) => model.query(x),
    dispose: () => model.dispose(),
  };
  const stack = buildOracleStack(withSetup, { kind: 'scores' }, 3);
  assert.equal(stack.counter.queries, 1);
  await stack.oracle.query(batch);
  assert.equal(stack.counter.queries, 3);
  await assert.rejects(stack.oracle.query(fromRows([[0, 0, 0]])), BudgetExhaustedError);
});

test('a batch that fails halfway counts only the rows the backend delivered', async () => {
  let delivered = 0;
  const splitting: Oracle = {
    inputDim: 3,
    outputDim: 4,
    precision: 'f64',
    get rowsSent() {
      return delivered;
    },
    query: async (x) => {
      delivered += Math.min(x.rows, 2); // the first request of 2 rows goes out, then it dies
      throw new UserError('model died');
    },
    dispose: async () => {},
  };
  const stack = buildOracleStack(splitting, { kind: 'scores' }, null);
  await assert.rejects(
    stack.oracle.query(
      fromRows([
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ]),
    ),
    /died/,
  );
  assert.equal(stack.counter.queries, 2);
});
