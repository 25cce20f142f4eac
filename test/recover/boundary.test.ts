import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareSubspaces } from '../../src/linalg/principalAngles.js';
import type { AccessLevel } from '../../src/oracle/access.js';
import type { NetworkOracle } from '../../src/oracle/networkOracle.js';
import { recoverSpan, type RecoverySummary } from '../../src/recover/recoverSpan.js';
import { countRows, firstLayer, medianOutput, referenceOracle } from '../helpers.js';

/**
 * The boundary method on seeded float64 networks n = 30, k = 6 (widths 32, 16), from one bit
 * (`threshold:0:T`, T the median output over Gaussian inputs) or one label (10 outputs).
 */

/**
 * Largest principal angle: measured 5e-6–1.2e-5 rad over these nets (16 bits per ratio, each
 * direction's own error ~3e-6, amplified by the later directions' small new shares); the
 * acceptance bound at n = 100 is 1e-4.
 */
const MAX_ANGLE = 5e-5;

type Activation = 'tanh' | 'relu';
const net = (activation: Activation, outputs = 1, seed = 1) =>
  referenceOracle(
    { inputDim: 30, firstWidth: 6, hiddenWidths: [32, 16], activation, outputs },
    seed,
  );

async function thresholdAccess(oracle: NetworkOracle): Promise<AccessLevel> {
  return { kind: 'threshold', index: 0, threshold: await medianOutput(oracle) };
}

function assertRecovered(s: RecoverySummary, oracle: NetworkOracle, label: string): void {
  assert.equal(s.result.method, 'boundary', label);
  assert.equal(s.result.rank, 6, label);
  const angle = compareSubspaces(s.result.basis, firstLayer(oracle)).maxAngle;
  assert.ok(angle < MAX_ANGLE, `${label}: max angle ${angle}`);
  assert.equal(s.complete, true, label);
  assert.equal(s.certificate.verdict, 'complete', label);
}

for (const activation of ['tanh', 'relu'] as const) {
  test(`threshold access, ${activation}: auto picks boundary; rank 6, exact count`, async () => {
    const oracle = net(activation);
    const counted = countRows(oracle);
    const s = await recoverSpan(counted, { access: await thresholdAccess(oracle), seed: 1 });
    assertRecovered(s, oracle, activation);
    assert.equal(s.queries, counted.rows);
  });

  test(`label access, ${activation} with 10 outputs: rank 6`, async () => {
    const oracle = net(activation, 10);
    const s = await recoverSpan(oracle, { access: { kind: 'label' }, seed: 2 });
    assertRecovered(s, oracle, `${activation} labels`);
  });
}

test('the budget stops the run with a partial span inside the true one', async () => {
  const oracle = net('tanh');
  const access = await thresholdAccess(oracle);
  const full = await recoverSpan(oracle, { access, seed: 1 });
  const budget = Math.floor(full.queries / 2);
  const s = await recoverSpan(oracle, { access, seed: 1, budget });
  assert.equal(s.result.stopReason, 'budget');
  assert.equal(s.budgetSpent, true);
  assert.equal(s.complete, false);
  assert.ok(s.queries <= budget);
  assert.ok(s.result.rank > 0 && s.result.rank < 6, `rank ${s.result.rank}`);
  // the directions found so far lie in the true span (angles over the partial basis's rank)
  assert.ok(compareSubspaces(s.result.basis, firstLayer(oracle)).maxAngle < MAX_ANGLE);
});
