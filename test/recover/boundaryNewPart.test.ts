import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EchelonBasis } from '../../src/linalg/echelon.js';
import { dot, norm2 } from '../../src/linalg/matrix.js';
import { inputGradient } from '../../src/nets/inputGradient.js';
import { OnnxOracle } from '../../src/oracle/onnxOracle.js';
import { buildOracleStack } from '../../src/oracle/stack.js';
import { Rng } from '../../src/random/rng.js';
import { RatioNoise } from '../../src/recover/boundaryNoise.js';
import { measureAlong, PILOT_RATIOS, type NewPartRun } from '../../src/recover/boundaryNewPart.js';
import { BoundarySearch } from '../../src/recover/boundarySearch.js';
import { RowStreamer } from '../../src/recover/complementPoint.js';
import { SmoothnessVotes } from '../../src/recover/straddle.js';
import { float32SigmoidNet } from './float32BitNet.js';

/**
 * The measurement of a point's ratios on a noisy model: a point whose own noise is far above
 * the model's (next to a kink) is given up after a pilot of {@link PILOT_RATIOS} ratios, not
 * after all of them.
 */

/**
 * A float32 model's noise level: a ratio's error times δ over a typical component (the bench's
 * float32 n = 1536 net showed 1e-5), below this point's own (8× it would be a kinked point's).
 */
const FLOAT32_LEVEL = 2e-5;

/** A run that has measured `points` points, each at noise `level` (per unit δ and component). */
function run(n: number, points: number, level: number): NewPartRun {
  const noise = new RatioNoise();
  for (let p = 0; p < points; p++) noise.observe(level, 1, 1);
  return {
    basis: new EchelonBasis(n),
    curvatureShare: Infinity,
    straddles: 0,
    tally: { expansions: 0 },
    votes: new SmoothnessVotes(),
    noise,
    kinkedRun: 0,
  };
}

/** A boundary point of the float32 n = 200 one-bit net, its unit directions, and a measurer. */
async function atBoundaryPoint() {
  const { net, path } = await float32SigmoidNet();
  const model = await OnnxOracle.create(path);
  const access = { kind: 'threshold', index: 0, threshold: 0.5 } as const;
  const stack = buildOracleStack(model, access, null);
  const n = model.inputDim;
  const streamer = new RowStreamer(stack.oracle, n, 64);
  const search = new BoundarySearch(streamer, new Rng(1));
  const found = await search.next();
  assert.ok(found !== null && found !== 'flat');
  const point = await search.refine(found);
  assert.ok(point !== null);
  const directions = Array.from({ length: n }, (_, j) => {
    const d = new Float64Array(n);
    d[j] = 1;
    return d;
  });
  // the normal's size in ratio units (∇f over ∇f·d), from the net itself
  const g = inputGradient(net, point.x, Float64Array.of(1));
  const scale = norm2(g) / Math.abs(dot(g, 0, point.direction, 0, n));
  const settings = { bits: 15, symmetric: true, noiseFloor: true };
  const measure = async (delta: number, state: NewPartRun) => {
    const before = streamer.rowsAnswered;
    const candidate = { point, delta, scale, sigma: scale / Math.sqrt(n) };
    const measured = await measureAlong(streamer, candidate, directions, settings, state);
    return { measured, rows: streamer.rowsAnswered - before };
  };
  return { n, measure, dispose: () => model.dispose() };
}

/** Rows a pilot costs, at most, against a whole measurement of `n` ratios (a margin of 2). */
const pilotShare = (n: number) => (2 * PILOT_RATIOS) / n;

test('a point far noisier than the model is given up after the pilot ratios', async () => {
  // The float32 net's own rounding noise (~5e-6/δ of a component) is taken for a point next to
  // a kink against a model recorded as a million times quieter. Measured at δ = 3e-3: the
  // whole point (200 ratios) 6 070 rows, given up after the pilot 960.
  const at = await atBoundaryPoint();
  try {
    // no evidence of the model's noise yet: measured whole
    const whole = await at.measure(3e-3, run(at.n, 0, 0));
    assert.ok(whole.measured !== null && whole.measured !== 'rejected');
    const kinked = await at.measure(3e-3, run(at.n, 3, 1e-12));
    assert.equal(kinked.measured, 'rejected');
    assert.ok(kinked.rows < whole.rows * pilotShare(at.n), `${kinked.rows} of ${whole.rows} rows`);
  } finally {
    await at.dispose();
  }
});

test('a point most of whose ratios straddle kinks is given up after the pilot ratios', async () => {
  // At δ = 3e-2 the unit moves cross many of the ReLU net's kinks: measured whole, the point is
  // given up for its straddles after 6 610 rows; with the model's noise known (a float32
  // level), after the pilot: 695 rows.
  const at = await atBoundaryPoint();
  try {
    const whole = await at.measure(3e-2, run(at.n, 0, 0));
    assert.equal(whole.measured, 'rejected');
    const state = run(at.n, 3, FLOAT32_LEVEL);
    const piloted = await at.measure(3e-2, state);
    assert.equal(piloted.measured, 'rejected');
    assert.equal(state.kinkedRun, 0, 'given up for its straddles, not as kinked');
    assert.ok(
      piloted.rows < whole.rows * pilotShare(at.n),
      `${piloted.rows} of ${whole.rows} rows`,
    );
  } finally {
    await at.dispose();
  }
});
