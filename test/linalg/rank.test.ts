import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { matmul, zeros } from '../../src/linalg/matrix.js';
import {
  DEFAULT_RELATIVE_FLOOR,
  finiteDifferenceNoiseNorm,
  MIN_GAP_RATIO,
  selectRank,
  selectRankAboveNoise,
  selectRankWithNoise,
} from '../../src/linalg/rank.js';
import { singularValues } from '../../src/linalg/svd.js';
import { Rng } from '../../src/random/rng.js';
import { gaussian } from './matrices.js';

/** Relative level of a float32 finite-difference noise plateau (docs/METHOD.md: step ~1e-3, f32 output). */
const F32_NOISE = 1e-4;
/** Relative level of float64 rounding debris in an "exact" spectrum. */
const F64_NOISE = 1e-15;

/**
 * A synthetic spectrum: `k` signal values log-uniform in [s₀/spread, s₀] (s₀ = 100 included),
 * then `tail` noise values uniform in [0.3, 1]·noise·s₀, sorted descending.
 */
function spectrum(k: number, spread: number, tail: number, noise: number, rng: Rng): Float64Array {
  const s0 = 100;
  const values = [s0];
  for (let i = 1; i < k; i++) values.push(s0 * spread ** -rng.uniform());
  if (k > 1) values[k - 1] = s0 / spread; // the weakest signal value sits at the edge
  for (let i = 0; i < tail; i++) values.push(s0 * noise * (0.3 + 0.7 * rng.uniform()));
  return Float64Array.from(values.sort((a, b) => b - a));
}

describe('selectRank', () => {
  it('reads the signal count above a float32 noise plateau (spread up to 100×)', () => {
    const s = spectrum(12, 100, 30, F32_NOISE, new Rng(1));
    const r = selectRank(s);
    assert.equal(r.rank, 12);
    assert.equal(r.rule, 'gap');
    assert.ok(r.gapRatio >= 100, `gap ratio ${r.gapRatio}`);
  });

  it('reads the signal count of exact float64 spectra, with or without rounding debris', () => {
    const rng = new Rng(2);
    const debris = spectrum(7, 100, 20, F64_NOISE, rng);
    assert.deepEqual([selectRank(debris).rank, selectRank(debris).rule], [7, 'gap']);
    assert.ok(selectRank(debris).gapRatio > 1e10);
    const exactZeros = Float64Array.from([...spectrum(7, 100, 0, 0, rng), 0, 0, 0]);
    assert.equal(selectRank(exactZeros).rank, 7);
    assert.ok(Number.isFinite(selectRank(exactZeros).gapRatio), 'ratio stays finite at a zero');
  });

  it('selects the signal count for random spectra (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 1, max: 100, noNaN: true }),
        fc.constantFrom(F32_NOISE, 1e-7, 1e-10, F64_NOISE),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (k, tail, spread, noise, seed) => {
          const s = spectrum(k, spread, tail, noise, new Rng(seed));
          assert.equal(selectRank(s).rank, k);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('returns the full length when there is no gap (rows == rank)', () => {
    const rng = new Rng(3);
    const flat = spectrum(25, 10, 0, 0, rng);
    assert.deepEqual([selectRank(flat).rank, selectRank(flat).rule], [25, 'no-gap']);
    // A genuine within-signal spread: consecutive ratios up to 30 are not a gap.
    const stepped = Float64Array.from([100, 90, 3, 2.5, 0.1, 0.09]);
    const r = selectRank(stepped);
    assert.deepEqual([r.rank, r.rule], [6, 'no-gap']);
    assert.ok(Math.abs(r.gapRatio - 30) < 1e-12, 'reports the strongest rejected drop');
  });

  it('returns 0 for the all-zero and the empty spectrum', () => {
    assert.deepEqual(selectRank(new Float64Array(5)), {
      rank: 0,
      gapRatio: 1,
      rule: 'zero',
      threshold: 0,
    });
    assert.equal(selectRank(new Float64Array(0)).rank, 0);
  });

  it('handles single values', () => {
    assert.deepEqual(selectRank(Float64Array.from([3])).rank, 1);
    assert.deepEqual(selectRank(Float64Array.from([0])).rank, 0);
  });

  it('finds the rank of real rank-deficient and float32-rounded matrices', () => {
    const rng = new Rng(4);
    const n = 60;
    const k = 6;
    const rowsA = gaussian(k, n, rng);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < n; j++) rowsA.data[i * n + j] *= 1 + 9 * (i / (k - 1)); // 10× spread
    }
    const stacked = matmul(gaussian(25, k, rng), rowsA); // 25 "gradients" in a 6-dim span
    const exact = selectRank(singularValues(stacked), { maxDim: n });
    assert.deepEqual([exact.rank, exact.rule], [k, 'gap']);

    const noisy = zeros(stacked.rows, n);
    let scale = 0;
    for (const x of stacked.data) scale = Math.max(scale, Math.abs(x));
    for (let t = 0; t < noisy.data.length; t++) {
      // float32 rounding of the entries plus measurement noise at 1e-4 of the largest entry
      noisy.data[t] = Math.fround(stacked.data[t]) + F32_NOISE * scale * rng.gaussian();
    }
    const f32 = selectRank(singularValues(noisy), { maxDim: n });
    assert.deepEqual([f32.rank, f32.rule], [k, 'gap']);
    assert.ok(f32.gapRatio >= MIN_GAP_RATIO);
  });

  it('returns a threshold that reproduces the cut (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: 0, max: 1e3, noNaN: true }), fc.constant(0)), {
          maxLength: 30,
        }),
        (values) => {
          const s = Float64Array.from(values.sort((a, b) => b - a));
          const { rank, threshold, gapRatio } = selectRank(s);
          assert.ok(rank >= 0 && rank <= s.length);
          assert.ok(Number.isFinite(gapRatio) && gapRatio >= 1);
          s.forEach((v, i) => assert.equal(v > threshold, i < rank, `index ${i}`));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('looks for gaps only above the relative floor', () => {
    // Ratios 100, 1e4, 1e7. The largest ends at 1e-6·s₀.
    const s = Float64Array.from([1, 1e-2, 1e-6, 1e-13]);
    assert.equal(selectRank(s).rank, 3); // default floor 1e-13: all candidates
    assert.equal(selectRank(s, { floor: 1e-5 }).rank, 2); // 1e-6 is below the floor
    assert.equal(DEFAULT_RELATIVE_FLOOR, 1e-13);
    // Rounding debris below the floor: 1e-15 vs 1e-19 would be a "gap" of 1e4.
    const debris = Float64Array.from([1, 0.8, 0.5, 1e-15, 1e-19]);
    assert.equal(selectRank(debris).rank, 3);
  });

  it('treats values below max(rows, cols)·ε·s₀ as zero', () => {
    // 5e-14 exceeds the default floor's zero tolerance for 3 values but not for a 1000-column matrix.
    const s = Float64Array.from([1, 0.5, 5e-14]);
    assert.equal(selectRank(s, { floor: 0, minGapRatio: 1e20 }).rank, 3);
    assert.equal(selectRank(s, { floor: 0, minGapRatio: 1e20, maxDim: 1000 }).rank, 2);
  });

  it('honours minGapRatio', () => {
    const s = Float64Array.from([10, 9, 0.3, 0.2]); // largest drop 30
    assert.equal(selectRank(s).rank, 4);
    assert.equal(selectRank(s, { minGapRatio: 20 }).rank, 2);
  });

  it('rejects malformed spectra and options, quoting the value', () => {
    assert.throws(
      () => selectRank(Float64Array.from([1, 2])),
      /not descending, s\[1\] = 2 > s\[0\] = 1/,
    );
    assert.throws(() => selectRank(Float64Array.from([1, Number.NaN])), /s\[1\] = NaN/);
    assert.throws(() => selectRank(Float64Array.from([-1])), /s\[0\] = -1/);
    assert.throws(
      () => selectRank(new Float64Array(2), { floor: 2 }),
      /floor must be in \[0, 1\), got 2/,
    );
    assert.throws(() => selectRank(new Float64Array(2), { minGapRatio: 1 }), /got 1/);
    assert.throws(
      () => selectRank(new Float64Array(3), { maxDim: 2 }),
      /maxDim must be an integer >= 3/,
    );
  });
});

describe('selectRankAboveNoise', () => {
  it('counts the values above 3× the noise norm, whatever the gaps look like', () => {
    // float32-like: signal down to 0.1, a few stragglers near 1e-2, a noise plateau at 3e-3.
    const s = Float64Array.from([10, 5, 1, 0.3, 0.1, 0.011, 0.009, 0.003, 0.0029, 0.002]);
    const sel = selectRankAboveNoise(s, 0.006);
    assert.equal(sel.rank, 5);
    assert.equal(sel.rule, 'noise');
    assert.ok(Math.abs(sel.gapRatio - 0.1 / 0.011) < 1e-12);
    assert.ok(sel.threshold > s[sel.rank] && sel.threshold < s[sel.rank - 1]);
  });

  it('is the full length above a zero noise level and 0 on a zero spectrum', () => {
    assert.equal(selectRankAboveNoise(Float64Array.from([3, 2, 1]), 0).rank, 3);
    assert.equal(selectRankAboveNoise(Float64Array.from([0, 0]), 1).rank, 0);
  });

  it('the noise norm of stacked differences grows as √G + √n', () => {
    assert.equal(finiteDifferenceNoiseNorm(2, 16, 100), 2 * (4 + 10));
  });
});

describe('selectRankWithNoise', () => {
  it('a stray value just above the noise threshold does not count when a big gap precedes it', () => {
    // n=784, k=128 float64 case: signal ≥ 0.22, one stray at 9.7e-9, plateau ≤ 1.9e-9.
    const s = Float64Array.from([1, 0.5, 0.22, 9.7e-9, 1.9e-9, 1.7e-9, 1.6e-9]);
    const sel = selectRankWithNoise(s, 2.5e-9);
    assert.equal(selectRankAboveNoise(s, 2.5e-9).rank, 4, 'the threshold alone keeps the stray');
    assert.equal(sel.rank, 3);
    assert.equal(sel.rule, 'gap');
  });

  it('without a significant gap above the noise it counts values above the threshold', () => {
    const s = Float64Array.from([10, 5, 1, 0.3, 0.1, 0.011, 0.009, 0.003, 0.0029, 0.002]);
    const sel = selectRankWithNoise(s, 0.006);
    assert.equal(sel.rank, 5);
    assert.equal(sel.rule, 'noise');
  });

  it('never cuts below the noise threshold', () => {
    // A large ratio inside the noise (near-square noise block) must not pull the cut down.
    const s = Float64Array.from([3, 2, 1, 1e-9, 1e-15]);
    assert.equal(selectRankWithNoise(s, 1e-9).rank, 3);
  });
});
