import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { applyHead, headVjp, HEADS, sigmoid } from '../../src/nets/head.js';
import { centralDifferenceVjp } from './differences.js';

/** A probability row's sum: a few roundings of terms ≤ 1. */
const SUM_ABS = 1e-15;
/** Central-difference step, and its truncation error h²/6·|f'''| (|f'''| ≤ 1 for these heads). */
const FD_STEP = 1e-6;
const FD_TRUNCATION = 1e-12;

const logits = fc
  .array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 8 })
  .map((a) => Float64Array.from(a));

test('linear leaves the logits; sigmoid maps each through 1/(1 + e^(−z))', () => {
  assert.deepEqual(applyHead('linear', Float64Array.of(-3, 0, 2)), Float64Array.of(-3, 0, 2));
  assert.deepEqual(applyHead('sigmoid', Float64Array.of(0, 2)), Float64Array.of(0.5, sigmoid(2)));
  assert.equal(sigmoid(-800), 0);
  assert.equal(sigmoid(800), 1);
});

test('softmax rows are probabilities, unchanged by a common shift, ordered like the logits', () => {
  fc.assert(
    fc.property(logits, fc.double({ min: -600, max: 600, noNaN: true }), (z, shift) => {
      const p = applyHead('softmax', z.slice());
      assert.ok(p.every((v) => v >= 0 && v <= 1));
      assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) <= SUM_ABS * z.length);
      // the max subtraction makes huge shifts harmless (no e^600 overflow)
      const shifted = applyHead(
        'softmax',
        z.map((v) => v + shift),
      );
      shifted.forEach((v, j) => assert.ok(Math.abs(v - p[j]) <= 1e-12));
      for (let j = 1; j < z.length; j++) {
        if (z[j] > z[0]) assert.ok(p[j] >= p[0]);
      }
    }),
  );
});

test('headVjp is the transposed Jacobian of the head (central differences)', () => {
  fc.assert(
    fc.property(logits, fc.integer({ min: 0, max: 2 }), fc.integer(), (z0, h, seed) => {
      const head = HEADS[h];
      const z = z0.map((v) => v / 10); // away from saturation, where differences are informative
      const g = z.map((_, j) => Math.sin(seed + j));
      const vjp = headVjp(head, applyHead(head, z.slice()), g);
      const fd = centralDifferenceVjp((v) => applyHead(head, v), z, g, FD_STEP);
      fd.vjp.forEach((d, l) => {
        const tol = fd.roundingBound[l] + FD_TRUNCATION;
        assert.ok(Math.abs(d - vjp[l]) <= tol, `${head} ∂/∂z_${l}: ${d} vs ${vjp[l]}`);
      });
    }),
  );
});
