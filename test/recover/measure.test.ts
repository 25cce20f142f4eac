import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zeros } from '../../src/linalg/matrix.js';
import { buildOracleStack } from '../../src/oracle/stack.js';
import { measureWithinBudget } from '../../src/recover/measure.js';
import { referenceOracle } from '../helpers.js';

test('spends what the budget can pay for in whole units, then reports the budget', async () => {
  const stack = buildOracleStack(
    referenceOracle({ inputDim: 5, firstWidth: 3 }),
    { kind: 'scores' },
    10,
  );
  const build = (count: number) => zeros(3 * count, 5);
  const all = await measureWithinBudget(stack.oracle, 2, 3, build);
  assert.equal(all.kind === 'answered' && all.units, 2);
  const part = await measureWithinBudget(stack.oracle, 4, 3, build);
  assert.equal(part.kind === 'answered' && part.units, 1, 'budget 10: 6 used, one 3-row unit fits');
  assert.equal(part.kind === 'answered' && part.outputs.rows, 3);
  assert.deepEqual(await measureWithinBudget(stack.oracle, 1, 3, build), { kind: 'budget' });
  assert.equal(stack.counter.queries, 9);
});

test('other errors propagate', async () => {
  const failing = {
    inputDim: 5,
    outputDim: 1,
    precision: 'f64' as const,
    query: async () => {
      throw new Error('model died');
    },
    dispose: async () => {},
  };
  await assert.rejects(
    measureWithinBudget(failing, 1, 1, () => zeros(1, 5)),
    /model died/,
  );
});
