import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PointGradients } from '../../src/recover/differences.js';
import { MIN_OUTLIER_LIMIT, RunningNoise, screenPoints } from '../../src/recover/screening.js';
import { Rng } from '../../src/random/rng.js';

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
  // Median relative residual ≈ 1.4e-4. A kink leaves a residual of the order of the gradient
  // (here 1e-2, 70× the median); clean float32 points spread over ~3× the median.
  const pts = [
    ...Array.from({ length: 8 }, (_, i) => point(1e-4 * (1 + i / 10), 2e-4, i === 3)),
    point(1e-2, 2e-4), // a kink
    point(NaN, 0), // a point where every gradient is zero
    point(3e-4, 2e-4), // a clean point on the high side
  ];
  const s = screenPoints(pts, 1);
  assert.deepEqual(s.accepted, [0, 1, 2, 3, 4, 5, 6, 7, 9, 10]);
  assert.equal(s.gradients, 9, 'the zero-gradient point carries no direction');
  assert.ok(Math.abs(s.noisePerEntry - 2e-4 / Math.sqrt(3)) < 1e-12);
});

test('an exact model (median residual 0) keeps its merely-rounded points', () => {
  const pts = [
    ...Array.from({ length: 9 }, () => point(0, 0)),
    point(MIN_OUTLIER_LIMIT / 2, 1e-15),
  ];
  assert.equal(screenPoints(pts, 1).accepted.length, 10);
});

test('the running noise estimate agrees with the screen at every point', () => {
  const rng = new Rng(21);
  const running = new RunningNoise();
  const pts: PointGradients[] = [];
  for (let i = 0; i < 40; i++) {
    const kink = rng.uniform() < 0.15;
    const rel = i % 9 === 4 ? NaN : (kink ? 1e-2 : 1e-4) * (0.5 + rng.uniform());
    const p = point(rel, 1e-4 * (0.5 + rng.uniform()));
    pts.push(p);
    running.add(p);
    const s = screenPoints(pts, 1);
    assert.equal(Number.isNaN(running.median), Number.isNaN(s.medianRelativeResidual));
    if (pts.length >= 8) {
      assert.equal(running.median, s.medianRelativeResidual);
      // same terms, summed in another order
      assert.ok(Math.abs(running.perEntry - s.noisePerEntry) <= 1e-12 * s.noisePerEntry);
    }
  }
});
