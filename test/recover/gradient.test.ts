import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../src/errors.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { compareSubspaces } from '../../src/linalg/principalAngles.js';
import { parseAccess } from '../../src/oracle/access.js';
import { recoverSpan } from '../../src/recover/recoverSpan.js';
import { Rng } from '../../src/random/rng.js';
import { firstLayer, referenceOracle } from '../helpers.js';

/** Forward differences on a float64 ReLU net are exact up to rounding (~1e-10 relative). */
const F64_MAX_ANGLE = 1e-7;

test('recovers the full span of a float64 ReLU network to 1e-7 rad', async () => {
  const oracle = referenceOracle({ inputDim: 40, firstWidth: 15, hiddenWidths: [24, 12] });
  const s = await recoverSpan(oracle, { method: 'gradient', seed: 5 });
  assert.equal(s.result.rank, 15);
  const c = compareSubspaces(s.result.basis, firstLayer(oracle));
  assert.ok(c.maxAngle < F64_MAX_ANGLE, `max angle ${c.maxAngle}`);
  assert.equal(s.result.stopReason, 'saturated');
  assert.equal(s.certificate?.verdict, 'complete');
  assert.equal(s.complete, true);
});

test('reports the true rank of a rank-deficient first layer', async () => {
  const oracle = referenceOracle({ inputDim: 40, firstWidth: 15, firstRank: 6 });
  const s = await recoverSpan(oracle, { method: 'gradient', seed: 2 });
  assert.equal(s.result.rank, 6);
  assert.ok(compareSubspaces(s.result.basis, firstLayer(oracle)).maxAngle < F64_MAX_ANGLE);
});

test('several outputs give several gradients per point; score:I uses one', async () => {
  const oracle = referenceOracle({ inputDim: 30, firstWidth: 10, outputs: 3 });
  const all = await recoverSpan(oracle, { method: 'gradient', seed: 4 });
  const one = await recoverSpan(oracle, {
    method: 'gradient',
    seed: 4,
    access: parseAccess('score:1'),
  });
  assert.equal(all.result.rank, 10);
  assert.equal(one.result.rank, 10);
  assert.ok(all.queries < one.queries, `${all.queries} vs ${one.queries}`);
});

test('a budget is never exceeded and a short one ends incomplete', async () => {
  const oracle = referenceOracle({ inputDim: 40, firstWidth: 15 });
  const s = await recoverSpan(oracle, { method: 'gradient', seed: 1, budget: 500 });
  assert.ok(s.queries <= 500, `${s.queries} queries`);
  assert.equal(s.result.stopReason, 'budget');
  assert.equal(s.complete, false);
  assert.ok(s.result.rank < 15);
});

test('the gradient method refuses labels and bits (decisions have no differences)', async () => {
  const oracle = referenceOracle({ inputDim: 10, firstWidth: 4 });
  for (const a of ['label', 'threshold:0:0']) {
    await assert.rejects(
      recoverSpan(oracle, { method: 'gradient', access: parseAccess(a) }),
      (e: unknown) => e instanceof UserError && /use --method boundary/.test(e.message),
    );
  }
});

test('a black box that does not state its precision is probed: float32 inputs are detected', async () => {
  const net = referenceOracle({ inputDim: 20, firstWidth: 8 });
  // The same network, but reading its input as float32 and announcing nothing.
  const f32Box = {
    inputDim: 20,
    outputDim: 1,
    precision: 'unknown' as const,
    query: async (x: Matrix) =>
      net.query({ ...x, data: Float64Array.from(Float32Array.from(x.data)) }),
    dispose: async () => {},
  };
  const f32 = await recoverSpan(f32Box, { method: 'gradient', seed: 3 });
  assert.equal(f32.result.details.precision, 'f32');
  assert.equal(f32.result.rank, 8);
  const f64Box = { ...f32Box, query: (x: Matrix) => net.query(x) };
  const f64 = await recoverSpan(f64Box, { method: 'gradient', seed: 3 });
  assert.equal(f64.result.details.precision, 'f64');
  assert.ok(compareSubspaces(f64.result.basis, firstLayer(net)).maxAngle < F64_MAX_ANGLE);
});

test('a constant model ends at rank 0 after a few points instead of looping', async () => {
  const constant = {
    inputDim: 10,
    outputDim: 1,
    precision: 'f64' as const,
    query: async (x: Matrix) => ({
      rows: x.rows,
      cols: 1,
      data: new Float64Array(x.rows).fill(1.5),
    }),
    dispose: async () => {},
  };
  const s = await recoverSpan(constant, { method: 'gradient', seed: 1 });
  assert.equal(s.result.rank, 0);
  assert.equal(s.result.stopReason, 'saturated');
  assert.ok(s.queries < 200, `${s.queries} queries`);
});

test('many outputs: saturation is counted in points, so the full rank is found', async () => {
  // 10 outputs, k = 30: 8 points give 80 gradients but share 8 activation patterns.
  const oracle = referenceOracle(
    { inputDim: 40, firstWidth: 30, hiddenWidths: [16], outputs: 10 },
    10,
  );
  const s = await recoverSpan(oracle, { method: 'gradient', seed: 2 });
  assert.equal(s.result.rank, 30);
  assert.ok(compareSubspaces(s.result.basis, firstLayer(oracle)).maxAngle < F64_MAX_ANGLE);
});

test('noisy outputs do not abort the run: the screen calibrates to the noise', async () => {
  const net = referenceOracle({ inputDim: 30, firstWidth: 10 });
  const rng = new Rng(9);
  const noisy = {
    inputDim: 30,
    outputDim: 1,
    precision: 'f64' as const,
    query: async (x: Matrix) => {
      const y = await net.query(x);
      for (let i = 0; i < y.data.length; i++) y.data[i] += 1e-8 * rng.gaussian();
      return y;
    },
    dispose: async () => {},
  };
  const s = await recoverSpan(noisy, { method: 'gradient', seed: 4 });
  assert.equal(s.result.rank, 10);
  // noise 1e-8 over a step of 1e-5: gradient errors ~1e-3 relative
  assert.ok(compareSubspaces(s.result.basis, firstLayer(net)).maxAngle < 0.05);
});

test('the certificate fits inside the budget; a budget one row short is reported spent', async () => {
  const oracle = referenceOracle({ inputDim: 20, firstWidth: 6 });
  const free = await recoverSpan(oracle, { method: 'gradient', seed: 8 });
  assert.equal(free.budgetSpent, false);
  const exact = await recoverSpan(oracle, { method: 'gradient', seed: 8, budget: free.queries });
  assert.equal(exact.queries, free.queries);
  assert.equal(exact.complete, true);
  assert.equal(exact.budgetSpent, false);
  const short = await recoverSpan(oracle, {
    method: 'gradient',
    seed: 8,
    budget: free.queries - 1,
  });
  assert.ok(short.queries <= free.queries - 1);
  assert.equal(short.budgetSpent, true);
  assert.equal(short.complete, false);
});

test('a first layer of full rank (k ≥ n) is recovered as all of R^n', async () => {
  const oracle = referenceOracle({ inputDim: 10, firstWidth: 14 });
  const s = await recoverSpan(oracle, { method: 'gradient', seed: 6 });
  assert.equal(s.result.rank, 10);
  assert.equal(s.result.stopReason, 'full-rank');
});

test('an untrusted answer drops its points and the run goes on', async () => {
  const reference = referenceOracle({ inputDim: 30, firstWidth: 10 });
  let calls = 0;
  const flaky = {
    inputDim: 30,
    outputDim: 1,
    precision: 'f64' as const,
    query: async (x: Matrix) => {
      if (++calls === 3) throw new UserError('cmd model: answer holds NaN');
      return reference.query(x);
    },
    dispose: async () => {},
  };
  const s = await recoverSpan(flaky, { method: 'gradient', seed: 1 });
  assert.equal(s.result.rank, 10);
  assert.equal(s.result.details.modelFailures, 1);
  assert.ok(compareSubspaces(s.result.basis, firstLayer(reference)).maxAngle < F64_MAX_ANGLE);
});
