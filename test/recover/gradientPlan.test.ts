import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  planNextRound,
  SATURATION_OVERSAMPLE,
  type PlanInput,
} from '../../src/recover/gradientPlan.js';

const base: PlanInput = {
  n: 100,
  rank: 0,
  accepted: 0,
  gradients: 0,
  outputsPerPoint: 1,
  measured: 0,
  pointsWithoutNews: 0,
};

test('the first round measures the oversample; a fixed point count is honoured exactly', () => {
  assert.deepEqual(planNextRound(base), {
    wanted: SATURATION_OVERSAMPLE,
    untilNoNews: false,
    noNewsLimit: SATURATION_OVERSAMPLE,
  });
  assert.equal(planNextRound({ ...base, points: 5, measured: 3 })?.wanted, 2);
  assert.equal(planNextRound({ ...base, points: 5, measured: 5 }), null);
});

test('while every gradient is independent the points double, ending on a run without news', () => {
  const r = planNextRound({ ...base, rank: 16, accepted: 16, gradients: 16, measured: 16 });
  assert.equal(r?.wanted, 16);
  assert.equal(r?.untilNoNews, true);
  // capped at what full rank could need
  const capped = planNextRound({
    ...base,
    n: 20,
    rank: 16,
    accepted: 16,
    gradients: 16,
    measured: 16,
  });
  assert.equal(capped?.wanted, 20 + SATURATION_OVERSAMPLE - 16);
  assert.equal(
    planNextRound({
      ...base,
      rank: 16,
      accepted: 16,
      gradients: 16,
      pointsWithoutNews: SATURATION_OVERSAMPLE,
    }),
    null,
  );
});

test('saturated once the oversample beyond the rank is accepted; outputs per point count', () => {
  assert.equal(planNextRound({ ...base, rank: 20, accepted: 28, gradients: 28 }), null);
  const short = planNextRound({ ...base, rank: 20, accepted: 25, gradients: 25 });
  assert.deepEqual(short, { wanted: 3, untilNoNews: false, noNewsLimit: SATURATION_OVERSAMPLE });
  // 10 outputs: rank 30 needs 3 points plus the oversample
  assert.equal(
    planNextRound({ ...base, rank: 30, accepted: 11, gradients: 110, outputsPerPoint: 10 }),
    null,
  );
  assert.equal(planNextRound({ ...base, rank: 100, accepted: 1, gradients: 100 }), null);
});
