import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NewsTracker } from '../../src/recover/newsTracker.js';
import { Rng } from '../../src/random/rng.js';

/** Threshold in these tests: noise of norm 1e-6 must never count as news, directions of norm ~1 must. */
const THRESHOLD = 1e-3;

function combination(dirs: Float64Array[], rng: Rng, noise: number): Float64Array {
  const n = dirs[0].length;
  const v = new Float64Array(n);
  for (const d of dirs) {
    const c = rng.gaussian();
    for (let j = 0; j < n; j++) v[j] += c * d[j];
  }
  for (let j = 0; j < n; j++) v[j] += noise * rng.gaussian();
  return v;
}

test('vectors of a known span bring no news; a new direction does, once', () => {
  const rng = new Rng(3);
  const n = 30;
  const dirs = Array.from({ length: 5 }, () => rng.gaussianVector(n));
  const t = new NewsTracker(n);
  dirs.forEach((d) => assert.equal(t.add(d, THRESHOLD), true));
  assert.equal(t.dimension, 5);
  for (let i = 0; i < 20; i++) {
    // noise 1e-7 per entry: norm ~5e-7, far below the threshold
    assert.equal(t.add(combination(dirs, rng, 1e-7), THRESHOLD), false);
  }
  const fresh = rng.gaussianVector(n);
  assert.equal(t.add(fresh, THRESHOLD), true);
  assert.equal(t.add(combination([...dirs, fresh], rng, 0), THRESHOLD), false);
  assert.equal(t.dimension, 6);
});

test('the residual is compared with the threshold, not the vector norm', () => {
  const rng = new Rng(4);
  const n = 20;
  const t = new NewsTracker(n);
  const d = rng.gaussianVector(n);
  t.add(d, THRESHOLD);
  // a huge vector along d plus a small orthogonal part just above / below the threshold
  const e = new Float64Array(n);
  e[0] = 1;
  const dn = Math.hypot(...d);
  const ortho = e.map((v, j) => v - (d[0] / dn) * (d[j] / dn));
  const on = Math.hypot(...ortho);
  const build = (size: number) => d.map((v, j) => 1e6 * v + (size / on) * ortho[j]);
  assert.equal(t.add(build(0.5 * THRESHOLD), THRESHOLD), false);
  assert.equal(t.add(build(2 * THRESHOLD), THRESHOLD), true);
});

test('grows past its initial capacity and stops at n directions', () => {
  const rng = new Rng(5);
  const n = 70; // initial capacity is 64 rows
  const t = new NewsTracker(n);
  for (let i = 0; i < n; i++) assert.equal(t.add(rng.gaussianVector(n), THRESHOLD), true);
  assert.equal(t.dimension, n);
  assert.equal(t.add(rng.gaussianVector(n), THRESHOLD), false);
});
