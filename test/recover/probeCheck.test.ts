import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng } from '../../src/random/rng.js';
import { locateSingleError, probeResiduals } from '../../src/recover/probeCheck.js';

/**
 * Residuals and misfits that should vanish: sums of n ≤ 40 products of O(1) numbers, each
 * rounding once, against errors of size ≥ 0.1.
 */
const ROUNDING_TOL = 1e-12;
/**
 * The misfit is √(total − explained), a difference of two sums of squares of size ‖ρ‖²: their
 * rounding, ~ε‖ρ‖², leaves up to ~√ε·‖ρ‖ ≈ 1.5e-8·‖ρ‖ after the root; four times that.
 */
const MISFIT_TOL_PER_RESIDUAL = 4 * Math.sqrt(Number.EPSILON);

/** A random probe set: c coefficient vectors over n coordinates, zero at `pivots`. */
interface Probes {
  readonly n: number;
  readonly m: number;
  readonly pivots: ReadonlySet<number>;
  readonly coefficients: Float64Array[];
  /** The true complement measurement, m × n, zero at pivots. */
  readonly v: Float64Array;
  /** Exact slopes aᵀv of every probe t and output o, at t * m + o. */
  readonly slopes: Float64Array;
}

function probes(n: number, c: number, m: number, rng: Rng): Probes {
  const pivots = new Set(Array.from({ length: Math.floor(n / 4) }, () => rng.int(n)));
  const zeroAtPivots = (x: Float64Array): Float64Array => x.map((y, j) => (pivots.has(j) ? 0 : y));
  const coefficients = Array.from({ length: c }, () => zeroAtPivots(rng.gaussianVector(n)));
  const v = new Float64Array(m * n);
  for (let o = 0; o < m; o++) v.set(zeroAtPivots(rng.gaussianVector(n)), o * n);
  const slopes = new Float64Array(c * m);
  coefficients.forEach((a, t) => {
    for (let o = 0; o < m; o++) {
      for (let j = 0; j < n; j++) slopes[t * m + o] += a[j] * v[o * n + j];
    }
  });
  return { n, m, pivots, coefficients, v, slopes };
}

/** v with coordinate j of every output off by `errors[o]`. */
function corrupt(p: Probes, j: number, errors: readonly number[]): Float64Array {
  const bad = p.v.slice();
  for (let o = 0; o < p.m; o++) bad[o * p.n + j] += errors[o];
  return bad;
}

const settings = fc.record({
  n: fc.integer({ min: 3, max: 40 }),
  c: fc.integer({ min: 2, max: 5 }),
  m: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

/** A non-pivot coordinate and an error of size ≥ 0.1 for every output. */
function badCoordinate(p: Probes, rng: Rng): { j: number; errors: number[] } {
  const free = Array.from({ length: p.n }, (_, j) => j).filter((j) => !p.pivots.has(j));
  const j = free[rng.int(free.length)];
  const errors = Array.from(
    { length: p.m },
    () => (rng.uniform() < 0.5 ? -1 : 1) * (0.1 + rng.uniform()),
  );
  return { j, errors };
}

describe('probeResiduals', () => {
  it('are zero for the true v and −e·a_t[j] for v off by e at j (property)', () => {
    fc.assert(
      fc.property(settings, ({ n, c, m, seed }) => {
        const rng = new Rng(seed);
        const p = probes(n, c, m, rng);
        for (const r of probeResiduals(p.coefficients, p.slopes, p.v, n, m)) {
          assert.ok(Math.abs(r) <= ROUNDING_TOL);
        }
        const { j, errors } = badCoordinate(p, rng);
        const res = probeResiduals(p.coefficients, p.slopes, corrupt(p, j, errors), n, m);
        for (let t = 0; t < c; t++) {
          for (let o = 0; o < m; o++) {
            const expected = -errors[o] * p.coefficients[t][j];
            assert.ok(Math.abs(res[t * m + o] - expected) <= ROUNDING_TOL);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('locateSingleError', () => {
  it('finds a single bad coordinate among n with two or more probes, misfit ~0 (property)', () => {
    fc.assert(
      fc.property(settings, ({ n, c, m, seed }) => {
        const rng = new Rng(seed);
        const p = probes(n, c, m, rng);
        const { j, errors } = badCoordinate(p, rng);
        const res = probeResiduals(p.coefficients, p.slopes, corrupt(p, j, errors), n, m);
        const found = locateSingleError(p.coefficients, res, n, m);
        assert.equal(found.coordinate, j);
        const size = Math.hypot(...res);
        assert.ok(found.misfit <= MISFIT_TOL_PER_RESIDUAL * size, `misfit ${found.misfit}`);
        // skipping it, another coordinate is named, never a pivot, and much is left unexplained
        const other = locateSingleError(p.coefficients, res, n, m, new Set([j]));
        assert.notEqual(other.coordinate, j);
        assert.ok(other.coordinate < 0 || !p.pivots.has(other.coordinate));
        assert.ok(other.misfit > found.misfit);
        // skipping an unrelated coordinate changes nothing
        const unrelated = (j + 1) % n;
        assert.equal(
          locateSingleError(p.coefficients, res, n, m, new Set([unrelated])).coordinate,
          j,
        );
      }),
      { numRuns: 100 },
    );
  });

  it('never names a pivot (a coordinate no probe moves), even with nothing to explain', () => {
    const zero = new Float64Array(3);
    const a = Float64Array.of(0, 0, 1, 2);
    const b = Float64Array.of(0, 0, -1, 1);
    assert.equal(locateSingleError([a, b], zero.subarray(0, 2), 4, 1).coordinate, 2);
    assert.equal(
      locateSingleError([a, b], Float64Array.of(1, 1), 4, 1, new Set([2, 3])).coordinate,
      -1,
    );
  });

  it('fits all outputs jointly: each output alone would name a wrong coordinate', () => {
    // Probe columns: coordinate 1 is (1, 0); 0 and 2 are unit vectors 0.3 rad either side.
    // The true error sits at 1 in both outputs; noise tilts output 0's residual toward
    // coordinate 0's column and output 1's toward coordinate 2's, so each output alone
    // prefers a neighbour (1.12 against 1 explained), the two together coordinate 1 (2 > 1.85).
    const t = 0.3;
    const a0 = Float64Array.of(Math.cos(t), 1, Math.cos(t));
    const a1 = Float64Array.of(Math.sin(t), 0, -Math.sin(t));
    const tilt = 0.35;
    const joint = Float64Array.of(1, 1, tilt, -tilt); // at probe * 2 + output
    assert.equal(locateSingleError([a0, a1], joint, 3, 2).coordinate, 1);
    assert.equal(locateSingleError([a0, a1], Float64Array.of(1, tilt), 3, 1).coordinate, 0);
    assert.equal(locateSingleError([a0, a1], Float64Array.of(1, -tilt), 3, 1).coordinate, 2);
    const misfit = locateSingleError([a0, a1], joint, 3, 2).misfit;
    assert.ok(Math.abs(misfit - Math.sqrt(2) * tilt) <= ROUNDING_TOL, `misfit ${misfit}`);
  });
});
