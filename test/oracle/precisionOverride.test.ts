import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRows } from '../../src/linalg/matrix.js';
import { PrecisionOverride } from '../../src/oracle/precisionOverride.js';
import { buildOracleStack } from '../../src/oracle/stack.js';
import { dyingModel, MockModel, threeRows } from './mockModel.js';

test("the override changes the precision only; answers are the model's", async () => {
  const model = new MockModel();
  const f32 = new PrecisionOverride(model, 'f32');
  assert.deepEqual([f32.precision, f32.inputDim, f32.outputDim], ['f32', 3, 4]);
  const x = fromRows([[1, 2, 3]]);
  assert.deepEqual(await f32.query(x), await model.query(x));
});

test("below the counter, setup rows and a failed batch's delivered rows are still counted", async () => {
  const backend = dyingModel(2, 1);
  const stack = buildOracleStack(new PrecisionOverride(backend, 'f64'), { kind: 'scores' }, null);
  assert.equal(stack.counter.queries, 1);
  assert.equal(stack.oracle.precision, 'f64');
  await assert.rejects(stack.oracle.query(threeRows), /died/);
  assert.equal(stack.counter.queries, 1 + 2);
});
