import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { layerNormInPlace, layerNormVjp, type LayerNorm } from '../../src/nets/layerNorm.js';
import { centralDifferenceVjp } from './differences.js';

/**
 * Normalized moments: centring costs each unit up to a few ulps of max|u|, which the division
 * by √(var + ε) (≥ √ε ≈ 3e-3) magnifies; 16 such ulps bound the mean and the mean square.
 */
const momentTolerance = (u: Float64Array, variance: number): number =>
  (16 * Number.EPSILON * Math.max(1, ...u.map(Math.abs))) / Math.sqrt(variance + 1e-5);
/**
 * Central-difference step, and its truncation error h²/6·|f'''| with |f'''| ≲ 10/std³
 * (LayerNorm's curvature grows as the row flattens); rows have std ≥ 0.1 here.
 */
const FD_STEP = 1e-6;
const fdTruncation = (u: Float64Array): number => (FD_STEP ** 2 * 10) / std(u) ** 3;

const rows = fc
  .array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 2, maxLength: 16 })
  .map((a) => Float64Array.from(a));

function randomLn(k: number, seed: number, epsilon = 1e-5): LayerNorm {
  const gamma = Float64Array.from({ length: k }, (_, i) => 1 + 0.3 * Math.sin(seed + i));
  const beta = Float64Array.from({ length: k }, (_, i) => 0.2 * Math.cos(seed * 3 + i));
  return { gamma, beta, epsilon };
}

const mean = (v: ArrayLike<number>): number => Array.from(v).reduce((a, b) => a + b, 0) / v.length;

test('undoing γ and β leaves mean 0 and mean square var/(var + ε)', () => {
  fc.assert(
    fc.property(rows, fc.integer(), (u, seed) => {
      const ln = randomLn(u.length, seed);
      const xhat = layerNormInPlace(ln, u.slice()).map((v, i) => (v - ln.beta[i]) / ln.gamma[i]);
      const variance = mean(u.map((v) => (v - mean(u)) ** 2));
      const tol = momentTolerance(u, variance);
      assert.ok(Math.abs(mean(xhat)) <= tol);
      const meanSquare = mean(xhat.map((v) => v * v));
      assert.ok(Math.abs(meanSquare - variance / (variance + ln.epsilon)) <= tol);
    }),
  );
});

test('is blind to a common shift of its units, and so is its gradient', () => {
  fc.assert(
    fc.property(rows, fc.integer(), fc.double({ min: -100, max: 100, noNaN: true }), (u, s, c) => {
      const ln = randomLn(u.length, s);
      const v = layerNormInPlace(ln, u.slice());
      const shifted = layerNormInPlace(
        ln,
        u.map((t) => t + c),
      );
      // shifting by |c| ≤ 100 costs up to ulp(100)/std of the centred values
      shifted.forEach((t, i) => assert.ok(Math.abs(t - v[i]) <= 1e-11 * Math.max(1, 1 / std(u))));
      const g = layerNormVjp(
        ln,
        u,
        u.map((_, i) => Math.cos(s + i)),
      );
      assert.ok(Math.abs(g.reduce((a, b) => a + b, 0)) <= 1e-12 * Math.max(1, 1 / std(u)));
    }),
  );
});

test('layerNormVjp is the transposed Jacobian (central differences)', () => {
  fc.assert(
    fc.property(rows, fc.integer(), (u, seed) => {
      fc.pre(std(u) > 0.1); // a nearly constant row makes the map steep: differences get noisy
      const ln = randomLn(u.length, seed, 1e-5);
      const g = u.map((_, i) => Math.sin(seed - i));
      const vjp = layerNormVjp(ln, u, g);
      const fd = centralDifferenceVjp((v) => layerNormInPlace(ln, v), u, g, FD_STEP);
      fd.vjp.forEach((d, l) => {
        const tol = fd.roundingBound[l] + fdTruncation(u);
        assert.ok(Math.abs(d - vjp[l]) <= tol, `∂/∂u_${l}: ${d} vs ${vjp[l]}`);
      });
    }),
  );
});

function std(u: Float64Array): number {
  return Math.sqrt(mean(u.map((v) => (v - mean(u)) ** 2)));
}
