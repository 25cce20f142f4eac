import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareSubspaces } from '../../src/linalg/principalAngles.js';
import { OnnxOracle } from '../../src/oracle/onnxOracle.js';
import type { Oracle } from '../../src/oracle/oracle.js';
import { buildOracleStack } from '../../src/oracle/stack.js';
import { Rng } from '../../src/random/rng.js';
import { recoverFromBoundary, REFINE_FACTOR_NOISY } from '../../src/recover/boundary.js';
import { asymmetryNoise, RatioNoise } from '../../src/recover/boundaryNoise.js';
import { float32SigmoidNet, recoverOneBit } from './float32BitNet.js';
import { firstLayer, float32Oracle, medianOutput, referenceOracle } from '../helpers.js';

/**
 * The boundary method on models whose decision is noisy near the boundary (float32): the
 * ratios' noise is read from their ±δ asymmetries and no ratio is bisected below it.
 */

test('asymmetryNoise: the standard deviation of Gaussian asymmetries (±10 %), 0 for bisection rounding', () => {
  const rng = new Rng(3);
  const sigma = 1e-3;
  const noisy = Float64Array.from({ length: 2000 }, () => sigma * rng.gaussian());
  const level = asymmetryNoise(noisy, 1e-6);
  assert.ok(Math.abs(level / sigma - 1) < 0.1, `level ${level}`);
  // each side off by up to half a resolution: what a float64 model's bisection leaves
  const resolution = 1e-3;
  const rounding = Float64Array.from(
    { length: 2000 },
    () => resolution * 0.2 * (rng.uniform() - 0.5),
  );
  assert.equal(asymmetryNoise(rounding, resolution), 0);
});

test('RatioNoise: the median point level, ∝ 1/δ and to the typical component', () => {
  const noise = new RatioNoise();
  assert.equal(noise.level(1e-2, 1), 0);
  // three points at offset 1e-2, typical component 2: own levels 1e-3, 2e-3 and a kinked 1
  for (const own of [1e-3, 2e-3, 1]) noise.observe(own, 1e-2, 2);
  assert.ok(Math.abs(noise.level(1e-2, 2) - 2e-3) < 1e-12);
  assert.ok(Math.abs(noise.level(1e-3, 2) - 2e-2) < 1e-12);
  assert.ok(Math.abs(noise.level(1e-2, 4) - 4e-3) < 1e-12);
});

/** A float32 ReLU net n = 100, k = 20 (widths 32, 16), threshold at the median. */
async function float32Run(declared: 'f32' | 'f64') {
  const reference = referenceOracle(
    { inputDim: 100, firstWidth: 20, hiddenWidths: [32, 16], activation: 'relu' },
    1,
  );
  const model: Oracle = { ...float32Oracle(reference), precision: declared };
  const access = { kind: 'threshold', index: 0, threshold: await medianOutput(model) } as const;
  const stack = buildOracleStack(model, access, null);
  // the deflation's cost alone: no pooled normals after it
  const result = await recoverFromBoundary(stack.oracle, new Rng(1), {
    offset: 1e-3,
    refineFactor: 0,
  });
  const angle = compareSubspaces(result.basis, firstLayer(reference)).maxAngle;
  return { result, angle, multiple: stack.counter.queries / (20 * 80 + 20) };
}

test('float32 net: bisection stops at the measured noise (same rank, ≤ 28× the floor; 37× without)', async () => {
  // measured at offset 1e-3: rank 20, 1.9e-2 rad, 22.8× the floor with the noise read; the
  // same model declared float64 (no noise read) rank 20, 1.7e-2 rad, 37.4×
  const f32 = await float32Run('f32');
  assert.equal(f32.result.rank, 20);
  assert.ok(f32.angle < 5e-2, `angle ${f32.angle}`);
  assert.ok(f32.result.details.ratioNoise > 0);
  assert.ok(f32.multiple <= 28, `${f32.multiple.toFixed(1)}× the floor`);
  const f64 = await float32Run('f64');
  assert.equal(f64.result.details.ratioNoise, 0);
  assert.ok(f64.multiple > 33, `${f64.multiple.toFixed(1)}× the floor`);
});

test('float32 ONNX net with a sigmoid head, one bit: rank k, not a noise direction more', async () => {
  // n = 200, k = 32, widths 32, influence spread 12, threshold at the median score. Measured
  // at the float32 default offset 3e-2: rank 32, certified complete, max angle 2.9e-4 rad at
  // 57.7× the floor, the refinement's default limit (44 normals pooled); the deflation alone
  // 8e-3–1.7e-2 rad (seeds 1–3) at 31–39×; at offset 1e-5 without the noise floor (before):
  // rank 200, every direction noise.
  const { net, path } = await float32SigmoidNet();
  const { s, angle, k, multiple } = await recoverOneBit(net, await OnnxOracle.create(path));
  assert.equal(s.result.method, 'boundary');
  assert.equal(s.result.rank, k);
  assert.ok(angle < 5e-3, `angle ${angle}`);
  // the refinement's row limit, and the certificate's few points
  assert.ok(multiple < REFINE_FACTOR_NOISY + 1, `${s.queries} queries`);
});
