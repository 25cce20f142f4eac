import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { projectOntoSpanAndBox } from '../../src/attack/boxProjection.js';
import { randomOrthonormal } from '../../src/linalg/orthonormal.js';
import { Rng } from '../../src/random/rng.js';

describe('projectOntoSpanAndBox', () => {
  it('with an empty basis it is the plain clip into the box (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (v) => {
          const q = { rows: 0, cols: v.length, data: new Float64Array(0) };
          const p = projectOntoSpanAndBox(q, new Float64Array(0), Float64Array.from(v), {
            lo: 0,
            hi: 1,
          });
          assert.deepEqual(
            Array.from(p.y),
            v.map((x) => Math.min(1, Math.max(0, x))),
          );
          assert.ok(p.met);
        },
      ),
    );
  });

  it('finds the nearest feasible point: no feasible point of a random sample is closer', () => {
    // Dykstra converges to the Euclidean projection onto the intersection; feasible points
    // x + (I − P)·small stay feasible when x is inside the box, and none may be closer.
    const rng = new Rng(8);
    const n = 30;
    const q = randomOrthonormal(6, n, rng);
    const x = Float64Array.from({ length: n }, () => 0.3 + 0.4 * rng.uniform());
    const target = Float64Array.from({ length: 6 }, (_, i) =>
      q.data.slice(i * n, (i + 1) * n).reduce((s, v, t) => s + v * x[t], 0),
    );
    const start = Float64Array.from({ length: n }, () => 2 * rng.gaussian());
    const p = projectOntoSpanAndBox(q, target, start, { lo: 0, hi: 1 });
    assert.ok(p.met);
    const dist = (a: Float64Array): number => Math.hypot(...a.map((v, t) => v - start[t]));
    const best = dist(p.y);
    for (let s = 0; s < 200; s++) {
      // A convex combination of y and x is feasible (both are); it must be no closer.
      const lambda = rng.uniform();
      const mix = p.y.map((v, t) => (1 - lambda) * v + lambda * x[t]);
      // 1e-9: the projection is exact only up to the span tolerance.
      assert.ok(dist(mix) >= best - 1e-9, `a feasible point is closer by ${best - dist(mix)}`);
    }
  });
});
