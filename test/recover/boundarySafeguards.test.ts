import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zeros } from '../../src/linalg/matrix.js';
import { orthonormalRows } from '../../src/linalg/orthonormal.js';
import { compareSubspaces } from '../../src/linalg/principalAngles.js';
import type { AccessLevel } from '../../src/oracle/access.js';
import { buildOracleStack } from '../../src/oracle/stack.js';
import { Rng } from '../../src/random/rng.js';
import { recoverFromBoundary, type BoundaryOptions } from '../../src/recover/boundary.js';
import { certify } from '../../src/recover/certificate.js';
import { firstLayer, medianOutput, referenceOracle } from '../helpers.js';

/**
 * The boundary method's safeguards, each shown by a setting where it matters: the symmetric
 * ±δ offsets (curvature), the straddle check (ReLU kinks between the offsets), and the
 * certificate from points next to the boundary. n = 30, k = 6, float64, threshold at the median.
 */

/** Max angle where a safeguard holds (measured 5e-6–1e-4 at the offsets used here). */
const SAFEGUARDED_MAX_ANGLE = 3e-4;

const net = (activation: 'tanh' | 'relu', seed: number) =>
  referenceOracle({ inputDim: 30, firstWidth: 6, hiddenWidths: [32, 16], activation }, seed);

async function run(activation: 'tanh' | 'relu', seed: number, options: BoundaryOptions) {
  const oracle = net(activation, seed);
  const access: AccessLevel = {
    kind: 'threshold',
    index: 0,
    threshold: await medianOutput(oracle),
  };
  const stack = buildOracleStack(oracle, access, null);
  const result = await recoverFromBoundary(stack.oracle, new Rng(seed), options);
  const angle = compareSubspaces(result.basis, firstLayer(oracle)).maxAngle;
  return { result, angle, oracle, stack };
}

test('symmetric offsets cancel curvature: tanh at offset 1e-3 keeps rank 6, one-sided does not', async () => {
  for (const seed of [1, 2]) {
    const symmetric = await run('tanh', seed, { offset: 1e-3 });
    assert.equal(symmetric.result.rank, 6, `seed ${seed}`);
    assert.ok(symmetric.angle < SAFEGUARDED_MAX_ANGLE, `seed ${seed}: ${symmetric.angle}`);
    // one-sided, the curvature error c·δ of every ratio leaves the span as spurious directions
    const oneSided = await run('tanh', seed, { offset: 1e-3, symmetric: false });
    assert.ok(oneSided.result.rank > 6, `seed ${seed}: one-sided rank ${oneSided.result.rank}`);
  }
});

test('straddled ReLU kinks are re-measured at shorter offsets: rank 6 at offset 1e-2', async () => {
  let remeasured = 0;
  for (const seed of [1, 2, 3, 4]) {
    const { result, angle } = await run('relu', seed, { offset: 1e-2 });
    assert.equal(result.rank, 6, `seed ${seed}`);
    assert.ok(angle < SAFEGUARDED_MAX_ANGLE, `seed ${seed}: ${angle}`);
    remeasured += result.details.straddlesRemeasured;
  }
  assert.ok(remeasured > 0);
});

test('certificate at points next to the boundary: complete for the span, incomplete without a direction', async () => {
  const { result, oracle, stack } = await run('tanh', 1, {});
  const near = result.nearBoundary;
  assert.ok(near !== undefined && near.points.rows > 0);
  const truth = orthonormalRows(firstLayer(oracle));
  const options = { moves: 16, decisions: true, nearBoundary: near };
  const full = await certify(stack.oracle, truth, new Rng(5), options);
  assert.equal(full.verdict, 'complete', full.reason);
  const partial = zeros(truth.rows - 1, truth.cols);
  partial.data.set(truth.data.subarray(truth.cols));
  const missing = await certify(stack.oracle, partial, new Rng(5), options);
  assert.equal(missing.verdict, 'incomplete', missing.reason);
  // from random points, far from the boundary, no flip proves little: never complete
  const far = await certify(stack.oracle, truth, new Rng(5), { moves: 16, decisions: true });
  assert.equal(far.verdict, 'unsure');
});
