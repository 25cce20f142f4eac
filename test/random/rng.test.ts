import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Rng } from '../../src/random/rng.js';

/** Sample-moment tolerance: 5 standard errors of a mean over N draws (fails by chance < 1e-6). */
const N = 200_000;
const FIVE_SE = 5 / Math.sqrt(N);

test('the same seed gives the same stream; different seeds and forks differ', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
      const a = new Rng(seed);
      const b = new Rng(seed);
      const xs = Array.from({ length: 8 }, () => a.nextUint32());
      assert.deepEqual(
        xs,
        Array.from({ length: 8 }, () => b.nextUint32()),
      );
      const c = new Rng(seed + 1);
      assert.notDeepEqual(
        xs,
        Array.from({ length: 8 }, () => c.nextUint32()),
      );
      const parent = new Rng(seed);
      const fork = parent.fork();
      assert.notDeepEqual(
        Array.from({ length: 8 }, () => fork.nextUint32()),
        Array.from({ length: 8 }, () => parent.nextUint32()),
      );
    }),
  );
});

test('uniform lies in [0, 1) with mean 1/2 and variance 1/12', () => {
  const rng = new Rng(11);
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < N; i++) {
    const u = rng.uniform();
    assert.ok(u >= 0 && u < 1, `uniform ${u}`);
    sum += u;
    sumSq += u * u;
  }
  const mean = sum / N;
  // std of a uniform is 1/√12 ≈ 0.29, of its square ≈ 0.30
  assert.ok(Math.abs(mean - 0.5) < FIVE_SE * 0.29, `mean ${mean}`);
  assert.ok(Math.abs(sumSq / N - mean * mean - 1 / 12) < FIVE_SE * 0.3, `variance`);
});

test('gaussian has mean 0, variance 1, kurtosis 3 and symmetric tails', () => {
  const rng = new Rng(12);
  const v = rng.gaussianVector(N);
  let m1 = 0;
  let m2 = 0;
  let m4 = 0;
  let beyond2 = 0;
  for (const x of v) {
    m1 += x;
    m2 += x * x;
    m4 += x ** 4;
    if (Math.abs(x) > 2) beyond2++;
  }
  assert.ok(Math.abs(m1 / N) < FIVE_SE, `mean ${m1 / N}`);
  assert.ok(Math.abs(m2 / N - 1) < FIVE_SE * Math.SQRT2, `variance ${m2 / N}`);
  // std of x⁴ is √96 ≈ 9.8
  assert.ok(Math.abs(m4 / N - 3) < FIVE_SE * 9.8, `fourth moment ${m4 / N}`);
  // P(|x| > 2) = 0.0455; binomial std √(p(1−p)/N)
  const p = beyond2 / N;
  assert.ok(Math.abs(p - 0.0455) < 5 * Math.sqrt((0.0455 * 0.9545) / N), `tail share ${p}`);
});

test('int(n) covers [0, n) evenly', () => {
  const rng = new Rng(13);
  const counts = new Array(7).fill(0);
  for (let i = 0; i < 70_000; i++) counts[rng.int(7)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 5 * Math.sqrt(10_000), `count ${c}`);
});
