import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareSubspaces } from '../../src/linalg/principalAngles.js';
import { CountingOracle } from '../../src/oracle/countingOracle.js';
import { Rng } from '../../src/random/rng.js';
import { recoverByGradients } from '../../src/recover/gradient.js';
import { recoverSpan } from '../../src/recover/recoverSpan.js';
import { firstLayer, float32Oracle, referenceOracle } from '../helpers.js';

/**
 * Regression guards on the gradient method's numerics: exact query counts and angle bounds on
 * fixed seeds, so that weakening the kink screen, the news tracker or the noise estimate fails
 * here. The counts are exact because the reference networks compute in plain JS arithmetic,
 * identical on every machine; when a deliberate change of the method moves them, update them
 * together with docs/BENCHMARKS.md.
 */

/** Forward differences on a float64 ReLU net: rounding only. */
const F64_MAX_ANGLE = 1e-7;
/**
 * Float32 forward differences at the default step reach 3e-2–5e-2 rad on these nets (the bench's
 * float32 cases: 4.3e-2 and 5.2e-2); without the kink screen one seed here falls to 1.5e-1.
 */
const F32_MAX_ANGLE = 6e-2;

const net = (seed: number, firstRank?: number) =>
  referenceOracle({ inputDim: 100, firstWidth: 50, firstRank, hiddenWidths: [64, 64] }, seed);

test('float64 n=100, k=50: rank 50 to 1e-7 rad at an exact query count', async () => {
  for (const [seed, queries] of [
    [1, 6372],
    [3, 6372],
  ]) {
    const oracle = net(seed);
    const s = await recoverSpan(oracle, { method: 'gradient', seed });
    assert.equal(s.result.rank, 50);
    assert.equal(s.queries, queries, `seed ${seed}`);
    assert.ok(compareSubspaces(s.result.basis, firstLayer(oracle)).maxAngle < F64_MAX_ANGLE);
  }
});

test('float32 n=100, k=50: rank 50, max angle within the float32 bound, exact query counts', async () => {
  for (const [seed, queries] of [
    [1, 6184],
    [2, 6392],
    [3, 6704],
  ]) {
    const reference = net(seed);
    const s = await recoverSpan(float32Oracle(reference), { method: 'gradient', seed });
    assert.equal(s.result.rank, 50, `seed ${seed}`);
    assert.equal(s.queries, queries, `seed ${seed}`);
    const angle = compareSubspaces(s.result.basis, firstLayer(reference)).maxAngle;
    assert.ok(angle < F32_MAX_ANGLE, `seed ${seed}: max angle ${angle}`);
  }
});

test('the news tracker ends a doubling round 8 points after the last new direction', async () => {
  // rank(A) = 20; one point per call, so the round can end at any point. Without the tracker
  // the third round runs to 32 points; with it, the run stops at 20 + 8 accepted points
  // (a point or two more where the screen rejected a kinked one or noise passed for news).
  for (const [seed, points, accepted] of [
    [1, 30, 29],
    [2, 31, 29],
  ]) {
    const counter = new CountingOracle(net(seed, 20));
    const r = await recoverByGradients(counter, new Rng(seed), { rowsPerCall: 1 });
    assert.equal(r.rank, 20);
    assert.equal(r.details.points, points, `seed ${seed}`);
    assert.equal(r.details.points - r.details.pointsRejected, accepted, `seed ${seed}`);
    assert.equal(counter.queries, points * 102);
  }
});
