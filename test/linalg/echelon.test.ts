import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EchelonBasis } from '../../src/linalg/echelon.js';
import { dot, norm2, row, type Matrix } from '../../src/linalg/matrix.js';
import { compareSubspaces } from '../../src/linalg/principalAngles.js';
import { Rng } from '../../src/random/rng.js';
import { gaussian } from './matrices.js';

const EPS = Number.EPSILON;
/**
 * Relative size of a dot product that should vanish, per ambient coordinate: each of the n
 * products in a length-n dot product rounds once, and Gauss–Jordan on Gaussian rows grows
 * entries by a small factor at most. So |aᵀb| ≤ ROUNDING_PER_COORD · n · ε · ‖a‖ · ‖b‖.
 */
const ROUNDING_PER_COORD = 16;
/**
 * Principal angles between the echelon span and the input rows' span: rounding times the
 * condition number of a Gaussian ≤ 30 × 30 matrix (rarely above 1e3 in these sizes).
 */
const SPAN_ANGLE_TOL = 1e-10;

/** Sizes (n, k ≤ n) and a seed for random independent rows. */
const shapes = fc
  .tuple(
    fc.integer({ min: 1, max: 30 }),
    fc.integer({ min: 1, max: 30 }),
    fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  )
  .map(([n, k, seed]) => ({ n, k: Math.min(k, n), seed }));

/** Fill the basis from the rows of `a` by reduce-then-add, as the adaptive method does. */
function build(a: Matrix): EchelonBasis {
  const e = new EchelonBasis(a.cols);
  for (let i = 0; i < a.rows; i++) {
    const v = row(a, i).slice();
    e.reduce(v);
    assert.ok(e.add(v), `row ${i} should be independent`);
  }
  return e;
}

/** The complement direction d_j as a dense vector. */
function direction(e: EchelonBasis, j: number): Float64Array {
  const d = new Float64Array(e.n);
  e.addDirection(d, j, 1);
  return d;
}

function vanishes(x: number, a: Float64Array, b: Float64Array): boolean {
  return Math.abs(x) <= ROUNDING_PER_COORD * a.length * EPS * norm2(a) * norm2(b);
}

describe('EchelonBasis', () => {
  it('keeps reduced row echelon form: 1 at its own pivot, 0 at the others (property)', () => {
    fc.assert(
      fc.property(shapes, ({ n, k, seed }) => {
        const e = build(gaussian(k, n, new Rng(seed)));
        assert.equal(e.rank, k);
        const pivots = e.pivots();
        assert.equal(new Set(pivots).size, k, 'distinct pivots');
        for (let i = 0; i < k; i++) {
          assert.equal(e.pivot(i), pivots[i]);
          for (let l = 0; l < k; l++) assert.equal(e.row(i)[pivots[l]], i === l ? 1 : 0);
        }
        const free = [...e.freeCoordinates()];
        assert.deepEqual(
          free,
          [...free].sort((a, b) => a - b),
          'ascending',
        );
        assert.deepEqual(
          [...free, ...pivots].sort((a, b) => a - b),
          Array.from({ length: n }, (_, j) => j),
          'free coordinates are exactly the non-pivots',
        );
        for (let j = 0; j < n; j++) assert.equal(e.isPivot(j), pivots.includes(j));
      }),
      { numRuns: 60 },
    );
  });

  it('spans the same subspace as the rows it was given (property)', () => {
    fc.assert(
      fc.property(shapes, ({ n, k, seed }) => {
        const a = gaussian(k, n, new Rng(seed));
        const c = compareSubspaces(build(a).toMatrix(), a);
        assert.equal(c.dimA, k);
        assert.equal(c.dimB, k);
        assert.ok(c.maxAngle <= SPAN_ANGLE_TOL, `angle ${c.maxAngle}`);
        const f = compareSubspaces(EchelonBasis.fromRows(a).toMatrix(), a);
        assert.ok(f.dimA === k && f.maxAngle <= SPAN_ANGLE_TOL, 'fromRows agrees');
      }),
      { numRuns: 60 },
    );
  });

  it('gives complement directions orthogonal to every row and to the input rows (property)', () => {
    fc.assert(
      fc.property(shapes, ({ n, k, seed }) => {
        const a = gaussian(k, n, new Rng(seed));
        const e = build(a);
        for (const j of e.freeCoordinates()) {
          const d = direction(e, j);
          assert.ok(Math.abs(e.directionNormSquared(j) - dot(d, 0, d, 0, n)) <= 4 * k * EPS);
          for (let i = 0; i < k; i++) {
            assert.ok(vanishes(dot(e.row(i), 0, d, 0, n), e.row(i), d), `d_${j} · R_${i}`);
            // the input rows are combinations of the echelon rows: looser by their condition
            const ai = row(a, i);
            const x = dot(ai, 0, d, 0, n);
            assert.ok(Math.abs(x) <= SPAN_ANGLE_TOL * norm2(ai) * norm2(d), `d_${j} · a_${i}`);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('reduce(g) holds the derivatives along the complement directions: gᵀd_j = v_j (property)', () => {
    fc.assert(
      fc.property(shapes, ({ n, k, seed }) => {
        const rng = new Rng(seed);
        const e = build(gaussian(k, n, rng));
        const g = rng.gaussianVector(n);
        const v = g.slice();
        e.reduce(v);
        for (const p of e.pivots()) assert.equal(v[p], 0, 'zero at pivots');
        for (const j of e.freeCoordinates()) {
          const d = direction(e, j);
          const gd = dot(g, 0, d, 0, n);
          assert.ok(vanishes(gd - v[j], g, d), `gᵀd_${j} = ${gd}, v_${j} = ${v[j]}`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('toComplement(w) is Σ_j w_j d_j over the free j, orthogonal to every row (property)', () => {
    fc.assert(
      fc.property(shapes, ({ n, k, seed }) => {
        const rng = new Rng(seed);
        const e = build(gaussian(k, n, rng));
        const w = rng.gaussianVector(n);
        const expected = new Float64Array(n);
        for (const j of e.freeCoordinates()) e.addDirection(expected, j, w[j]);
        const z = w.slice();
        e.toComplement(z);
        const scale = norm2(expected) + norm2(w);
        for (let t = 0; t < n; t++) {
          assert.ok(Math.abs(z[t] - expected[t]) <= ROUNDING_PER_COORD * n * EPS * scale);
        }
        for (let i = 0; i < k; i++) {
          assert.ok(vanishes(dot(e.row(i), 0, z, 0, n), e.row(i), z), `row ${i}`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('gives every new row entries of magnitude at most 1 (largest-magnitude pivot)', () => {
    fc.assert(
      fc.property(shapes, ({ n, k, seed }) => {
        const a = gaussian(k, n, new Rng(seed));
        const e = new EchelonBasis(n);
        for (let i = 0; i < k; i++) {
          const v = row(a, i).slice();
          e.reduce(v);
          e.add(v);
          // v[j]·(1/v[p]) with |v[j]| = |v[p]| may round one ulp above 1
          for (const x of e.row(i)) assert.ok(Math.abs(x) <= 1 + 2 * EPS, `entry ${x}`);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a zero vector; a vector in the span reduces to rounding level', () => {
    const rng = new Rng(3);
    const n = 12;
    const a = gaussian(5, n, rng);
    const e = build(a);
    assert.equal(e.add(new Float64Array(n)), false);
    assert.equal(e.rank, 5);
    // a combination of the input rows: what is left after reduce is rounding, which is why
    // callers compare its norm with a noise level before they add it
    const g = new Float64Array(n);
    for (let i = 0; i < 5; i++) {
      const c = rng.gaussian();
      for (let t = 0; t < n; t++) g[t] += c * a.data[i * n + t];
    }
    const v = g.slice();
    e.reduce(v);
    assert.ok(norm2(v) <= SPAN_ANGLE_TOL * norm2(g), `residual ${norm2(v)}`);
    // exactly representable: axis rows, and a vector on those axes reduces to exactly zero
    const axes = new EchelonBasis(4);
    for (const j of [2, 0]) {
      const u = new Float64Array(4);
      u[j] = 2;
      axes.reduce(u);
      assert.ok(axes.add(u));
    }
    const dependent = Float64Array.of(3, 0, -5, 0);
    axes.reduce(dependent);
    assert.deepEqual([...dependent], [0, 0, 0, 0]);
    assert.equal(axes.add(dependent), false);
    assert.equal(axes.rank, 2);
  });

  it('grows past its initial room of 16 rows without losing any', () => {
    const n = 45;
    const a = gaussian(40, n, new Rng(9));
    const e = build(a);
    assert.equal(e.rank, 40);
    const c = compareSubspaces(e.toMatrix(), a);
    assert.equal(c.dimA, 40);
    assert.ok(c.maxAngle <= SPAN_ANGLE_TOL, `angle ${c.maxAngle}`);
    const pivots = e.pivots();
    for (let i = 0; i < 40; i++) {
      for (let l = 0; l < 40; l++) assert.equal(e.row(i)[pivots[l]], i === l ? 1 : 0);
    }
  });

  it('stops adding at rank n: no free coordinates, every further vector refused', () => {
    const n = 6;
    const rng = new Rng(5);
    const e = build(gaussian(n, n, rng));
    assert.equal(e.rank, n);
    assert.equal(e.freeCoordinates().length, 0);
    const g = rng.gaussianVector(n);
    assert.equal(e.add(g), false, 'unreduced');
    e.reduce(g);
    assert.deepEqual([...g], new Array(n).fill(0), 'the whole space is eliminated exactly');
    assert.equal(e.add(g), false);
    assert.equal(e.rank, n);
  });
});
