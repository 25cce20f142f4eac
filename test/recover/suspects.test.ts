import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { orthonormalRows } from '../../src/linalg/orthonormal.js';
import { defineMethod } from '../../src/recover/method.js';
import { recoverSpan } from '../../src/recover/recoverSpan.js';
import { registerMethod, unregisterMethod } from '../../src/recover/registry.js';
import { firstLayer, referenceOracle } from '../helpers.js';

const oracle = referenceOracle({ inputDim: 12, firstWidth: 4 });

/** Returns the true span, doubting `suspects` of its directions as a method may. */
const doubting = (suspects: number) =>
  defineMethod({
    name: `doubting-${suspects}`,
    summary: 'test only: the true span, with doubts about its rank',
    accepts: () => true,
    autoPriority: 0,
    options: [],
    run: async () => ({
      method: `doubting-${suspects}`,
      basis: orthonormalRows(firstLayer(oracle)),
      rank: 4,
      singularValues: new Float64Array(4).fill(1),
      rankGapRatio: Infinity,
      stopReason: 'saturated',
      pointScale: 1,
      suspectDirections: suspects,
      details: {},
    }),
  });

for (const m of [doubting(0), doubting(2)]) registerMethod(m);
after(() => ['doubting-0', 'doubting-2'].forEach(unregisterMethod));

test('a complete certificate cannot vouch for a rank the method doubts', async () => {
  const sure = await recoverSpan(oracle, { method: 'doubting-0', seed: 1 });
  assert.equal(sure.certificate.verdict, 'complete');
  assert.equal(sure.complete, true);
  const doubted = await recoverSpan(oracle, { method: 'doubting-2', seed: 1 });
  assert.equal(doubted.certificate.verdict, 'unsure');
  assert.match(doubted.certificate.reason, /last 2 directions .* may be noise/);
  assert.equal(doubted.complete, false);
});
