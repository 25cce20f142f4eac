import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PointGradients } from '../../src/recover/differences.js';
import { MIN_OUTLIER_LIMIT, OUTLIER_FACTOR, screenPoints } from '../../src/recover/screening.js';

function point(relativeResidual: number, residualRms: number, kinked = false): PointGradients {
  const g = relativeResidual === relativeResidual ? [1, 0] : [0, 0];
  return {
    gradients: { rows: 1, cols: 2, data: Float64Array.from(g) },
    checkRatio: kinked ? 2 : 0.1,
    relativeResidual,
    residualRms,
    kinked,
  };
}

test('before 8 points the a-priori check decides; no noise estimate yet', () => {
  const s = screenPoints([point(1e-3, 1e-3), point(1e-3, 1e-3, true)], 1);
  assert.deepEqual(s.accepted, [0]);
  assert.ok(Number.isNaN(s.noisePerEntry));
});

test('from 8 points the median decides: outliers out, a-priori failures back in, zero gradients kept', () => {
  const pts = [
    ...Array.from({ length: 8 }, (_, i) => point(1e-4 * (1 + i / 10), 2e-4, i === 3)),
    point(OUTLIER_FACTOR * 2e-4, 2e-4), // a kink: well above 4× the median
    point(NaN, 0), // a point where every gradient is zero
  ];
  const s = screenPoints(pts, 1);
  assert.deepEqual(s.accepted, [0, 1, 2, 3, 4, 5, 6, 7, 9]);
  assert.equal(s.gradients, 8, 'the zero-gradient point carries no direction');
  assert.ok(Math.abs(s.noisePerEntry - 2e-4 / Math.sqrt(3)) < 1e-12);
});

test('an exact model (median residual 0) keeps its merely-rounded points', () => {
  const pts = [
    ...Array.from({ length: 9 }, () => point(0, 0)),
    point(MIN_OUTLIER_LIMIT / 2, 1e-15),
  ];
  assert.equal(screenPoints(pts, 1).accepted.length, 10);
});
