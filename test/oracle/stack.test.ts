import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BudgetExhaustedError, UserError } from '../../src/errors.js';
import { fromRows } from '../../src/linalg/matrix.js';
import type { Oracle } from '../../src/oracle/oracle.js';
import { buildOracleStack } from '../../src/oracle/stack.js';
import { dyingModel, MockModel, threeRows } from './mockModel.js';

const batch = fromRows([
  [1, 2, 3],
  [-1, 0.5, 2],
]);

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
  const stack = buildOracleStack(dyingModel(2), { kind: 'scores' }, null);
  await assert.rejects(stack.oracle.query(threeRows), /died/);
  assert.equal(stack.counter.queries, 2);
});

test('malformed rows never reach the model, are not counted and leave the budget alone', async () => {
  const model = new MockModel();
  const stack = buildOracleStack(model, { kind: 'scores' }, 10);
  const bad = [
    { matrix: fromRows([[1, 2, NaN]]), pattern: /row 0, column 2 is NaN/ },
    {
      matrix: fromRows([
        [0, 0, 0],
        [Infinity, 0, 0],
      ]),
      pattern: /row 1, column 0 is Infinity/,
    },
    { matrix: fromRows([[1, 2]]), pattern: /rows have 2 columns, the model takes 3 inputs/ },
    { matrix: { rows: 2, cols: 3, data: new Float64Array(5) }, pattern: /need 6 values/ },
  ];
  for (const { matrix, pattern } of bad) {
    await assert.rejects(stack.oracle.query(matrix), (e: unknown) => {
      assert.ok(e instanceof UserError && e.exitCode === 2, String(e));
      assert.match(e.message, pattern);
      return true;
    });
  }
  assert.equal(model.rowsSeen, 0);
  assert.equal(stack.counter.queries, 0);
  assert.equal(stack.counter.calls, 0);
  assert.equal(stack.budget?.remaining, 10);
});

test('every wrapper describes the model it wraps, and dispose reaches it', async () => {
  let disposed = 0;
  const model: Oracle = {
    inputDim: 5,
    outputDim: 7,
    precision: 'f32',
    query: async () => assert.fail('not queried here'),
    dispose: async () => {
      disposed += 1;
    },
  };
  const stack = buildOracleStack(model, { kind: 'scores' }, 3);
  for (const wrapper of [stack.counter, stack.budget, stack.oracle]) {
    assert.equal(wrapper?.inputDim, 5);
    assert.equal(wrapper?.outputDim, 7);
    assert.equal(wrapper?.precision, 'f32');
  }
  await stack.oracle.dispose();
  assert.equal(disposed, 1);
});
