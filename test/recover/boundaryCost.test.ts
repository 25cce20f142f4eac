import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareSubspaces } from '../../src/linalg/principalAngles.js';
import { buildOracleStack } from '../../src/oracle/stack.js';
import { Rng } from '../../src/random/rng.js';
import { recoverFromBoundary } from '../../src/recover/boundary.js';
import { firstLayer, medianOutput, referenceOracle } from '../helpers.js';

/**
 * What the boundary method spends, on a float64 sigmoid net n = 30, k = 6 (widths 32, 16),
 * threshold at the median: the −δ side of each ratio is bracketed by the curvature of the
 * points measured, not by a fine look's (the whole normal's curvature over a small new part).
 * Measured: 53.7× the floor; 57.6× with the fine looks' curvature kept.
 */
const MAX_FLOOR_MULTIPLE = 55.5;

test('sigmoid net: −δ brackets follow the measured curvature (queries ≤ 55.5× the floor)', async () => {
  const oracle = referenceOracle(
    { inputDim: 30, firstWidth: 6, hiddenWidths: [32, 16], activation: 'sigmoid' },
    1,
  );
  const access = { kind: 'threshold', index: 0, threshold: await medianOutput(oracle) } as const;
  const stack = buildOracleStack(oracle, access, null);
  const result = await recoverFromBoundary(stack.oracle, new Rng(1));
  assert.equal(result.rank, 6);
  assert.ok(compareSubspaces(result.basis, firstLayer(oracle)).maxAngle < 3e-4);
  const floor = 6 * (30 - 6) + 6;
  const multiple = stack.counter.queries / floor;
  assert.ok(multiple <= MAX_FLOOR_MULTIPLE, `${multiple.toFixed(2)}× the floor`);
});
