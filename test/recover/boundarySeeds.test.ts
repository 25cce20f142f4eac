import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareSubspaces } from '../../src/linalg/principalAngles.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import type { AccessLevel } from '../../src/oracle/access.js';
import { Rng } from '../../src/random/rng.js';
import { recoverSpan } from '../../src/recover/recoverSpan.js';
import { countRows, firstLayer, referenceOracle } from '../helpers.js';

/**
 * Seed inputs for the boundary method: a threshold far in the tail of a bounded (tanh) net,
 * which random points at every search scale almost never exceed, so random search alone sees
 * one bit only; two seeds above it and two below give the search both sides.
 */

const N = 30;
/** Tail threshold: exceeded by at most ~3e-4 of Gaussian inputs at any search scale (this net). */
const TAIL_THRESHOLD = 1.33;
/**
 * Largest principal angle: measured 1.4e-4–2e-4 rad over three recovery seeds; normals near
 * the net's saturated maximum are small against its curvature, so looser than the median
 * threshold's 5e-5.
 */
const MAX_ANGLE = 5e-4;

const net = () =>
  referenceOracle(
    { inputDim: N, firstWidth: 6, hiddenWidths: [32, 16], activation: 'tanh', outputs: 1 },
    3,
  );
const access: AccessLevel = { kind: 'threshold', index: 0, threshold: TAIL_THRESHOLD };

/** Two Gaussian inputs above the threshold and two below, found by asking the net directly. */
async function tailSeeds(): Promise<Matrix> {
  const count = 100_000;
  const data = new Rng(11).gaussianVector(count * N);
  const out = await net().query({ rows: count, cols: N, data });
  const above: number[] = [];
  const below: number[] = [];
  for (let r = 0; r < count; r++) (out.data[r] > TAIL_THRESHOLD ? above : below).push(r);
  assert.ok(above.length >= 2, `${above.length} inputs above the threshold`);
  const rows = [above[0], above[1], below[0], below[1]];
  const seeds = new Float64Array(rows.length * N);
  rows.forEach((r, i) => seeds.set(data.subarray(r * N, (r + 1) * N), i * N));
  return { rows: rows.length, cols: N, data: seeds };
}

test('a tail threshold: random search alone finds one bit only (rank 0)', async () => {
  for (const seed of [1, 2]) {
    const s = await recoverSpan(net(), { access, seed });
    assert.equal(s.result.rank, 0, `seed ${seed}`);
    assert.equal(s.result.details.boundaryPoints, 0, `seed ${seed}`);
  }
});

test('a tail threshold with seeds on both sides: rank 6, exact count, certified', async () => {
  const seeds = await tailSeeds();
  const oracle = net();
  const counted = countRows(oracle);
  const s = await recoverSpan(counted, { access, seed: 1, methodOptions: { seeds } });
  assert.equal(s.result.method, 'boundary');
  assert.equal(s.result.rank, 6);
  const angle = compareSubspaces(s.result.basis, firstLayer(oracle)).maxAngle;
  assert.ok(angle < MAX_ANGLE, `max angle ${angle}`);
  assert.equal(s.certificate.verdict, 'complete');
  assert.equal(s.queries, counted.rows);
});

test('seeds must be finite rows of n values', async () => {
  const wrong = { rows: 1, cols: N - 1, data: new Float64Array(N - 1) };
  await assert.rejects(recoverSpan(net(), { access, methodOptions: { seeds: wrong } }), {
    message: /--seeds: expected inputs of 30 values each, got 1 × 29/,
  });
  const nan = { rows: 1, cols: N, data: new Float64Array(N).fill(NaN) };
  await assert.rejects(recoverSpan(net(), { access, methodOptions: { seeds: nan } }), {
    message: /--seeds: input 0 has a non-finite value \(NaN\)/,
  });
  await assert.rejects(recoverSpan(net(), { access, methodOptions: { seeds: 3 } }), {
    message: /--seeds: expected inputs, got a number/,
  });
});
