import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { evaluateObfuscation } from '../../src/attack/evaluateObfuscation.js';
import { pearson } from '../../src/attack/imageMetrics.js';
import { obfuscate, plainNoise } from '../../src/attack/obfuscate.js';
import { SPAN_RESIDUAL_TOLERANCE } from '../../src/attack/boxProjection.js';
import { projectOntoSpan, spanCoordinates } from '../../src/attack/spanProjector.js';
import { fromRows, norm2, row, type Matrix } from '../../src/linalg/matrix.js';
import { orthonormalRows, projectOntoComplement } from '../../src/linalg/orthonormal.js';
import { Rng } from '../../src/random/rng.js';
import { firstLayer, referenceOracle } from '../helpers.js';
import { blobImages } from './images.js';

const SIDE = 10;
const N = SIDE * SIDE;
const K = 20;
const oracle = referenceOracle({ inputDim: N, firstWidth: K, outputs: 10 }, 3);
/** The true first layer A, deliberately not orthonormal: obfuscate must orthonormalize. */
const A = firstLayer(oracle);
const exactBasis = orthonormalRows(A);
const images = blobImages(30, SIDE, new Rng(11));

/**
 * Output change of the obfuscation relative to that of plain noise of the same norm, allowed
 * with the exact basis: only rounding of the projections (~1e-16 of the noise) reaches the
 * network, against a move of the same size in a random direction; 1e-9 leaves a wide margin.
 */
const EXACT_CHANGE_RATIO = 1e-9;

async function outputChanges(q: Matrix, scale: number, seed: number) {
  const rng = new Rng(seed);
  const o = obfuscate(q, images, { scale, box: null }, rng);
  const noise = plainNoise(images, o.inputs, null, rng);
  const obf = await evaluateObfuscation(oracle, images, o.inputs, noise, 1);
  // The baseline's output change, measured the same way (noise in the place of x').
  const base = await evaluateObfuscation(oracle, images, noise, o.inputs, 1);
  return { obf, baseChange: base.maxOutputChange };
}

describe('obfuscate, unbounded', () => {
  it('with the exact basis the outputs are unchanged to float64 rounding at any scale', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 0, max: 1000, noNaN: true }),
        fc.nat(1000),
        async (scale, seed) => {
          const { obf, baseChange } = await outputChanges(exactBasis, scale, seed);
          assert.ok(baseChange > 0);
          assert.ok(
            obf.maxOutputChange <= EXACT_CHANGE_RATIO * baseChange,
            `${obf.maxOutputChange} vs plain noise ${baseChange}`,
          );
          assert.equal(obf.labelKept, 1);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('with half the directions missing, labels change', async () => {
    const half = { rows: K / 2, cols: N, data: exactBasis.data.slice(0, (K / 2) * N) };
    const { obf } = await outputChanges(half, 1, 5);
    assert.ok(obf.labelKept <= 0.9, `labelKept ${obf.labelKept}`);
  });

  it('keeps the span coordinates and adds noise of norm scale·‖x‖ outside the span', () => {
    const scale = 2.5;
    const o = obfuscate(exactBasis, images, { scale, box: null }, new Rng(2));
    for (let i = 0; i < images.rows; i++) {
      const x = row(images, i);
      const y = row(o.inputs, i);
      const qx = spanCoordinates(exactBasis, x);
      const qy = spanCoordinates(exactBasis, y);
      const diff = qy.map((v, j) => v - qx[j]);
      // 1e-12 relative: a handful of O(n) dot products in float64.
      assert.ok(norm2(diff) <= 1e-12 * norm2(x));
      // What was added outside the span: y − P x, with P x built here from the basis.
      const added = Float64Array.from(y);
      for (let j = 0; j < K; j++) {
        for (let t = 0; t < N; t++) added[t] -= qx[j] * exactBasis.data[j * N + t];
      }
      assert.ok(Math.abs(norm2(added) - scale * norm2(x)) <= 1e-12 * scale * norm2(x));
    }
  });

  it('draws the noise again when it falls inside the span', () => {
    // The basis holds the first Gaussian vector the rng will draw, as when the network's
    // weights came from the same seed: the noise must come from the second draw.
    const draws = new Rng(9);
    const first = draws.gaussianVector(N);
    const second = projectOntoComplement(
      orthonormalRows(fromRows([first])),
      draws.gaussianVector(N),
    );
    const q = orthonormalRows(fromRows([first]));
    const x = row(images, 0);
    const o = obfuscate(
      q,
      { rows: 1, cols: N, data: Float64Array.from(x) },
      { scale: 1, box: null },
      new Rng(9),
    );
    const px = projectOntoSpan(q, x);
    const noise = row(o.inputs, 0).map((v, t) => v - px[t]);
    const expected = second.map((v) => (v * norm2(x)) / norm2(second));
    // 1e-12 relative: the same float64 operations in another order.
    assert.ok(norm2(noise.map((v, t) => v - expected[t])) <= 1e-12 * norm2(x));
  });

  it('correlation with the original falls as the scale grows', () => {
    const correlations = [0.25, 1, 4].map((scale) => {
      const o = obfuscate(exactBasis, images, { scale, box: null }, new Rng(4));
      let sum = 0;
      for (let i = 0; i < images.rows; i++) sum += pearson(row(images, i), row(o.inputs, i));
      return sum / images.rows;
    });
    assert.ok(
      correlations[0] > correlations[1] && correlations[1] > correlations[2],
      `${correlations}`,
    );
    assert.ok(correlations[2] < 0.3, `at scale 4 the inputs look like noise: ${correlations[2]}`);
  });
});

describe('obfuscate, bounded', () => {
  const box = { lo: 0, hi: 1 };
  const tolerance = SPAN_RESIDUAL_TOLERANCE * Math.sqrt(N) * (box.hi - box.lo);

  it('outputs lie in the box and keep P x′ = P x within the tolerance, far from x', () => {
    const o = obfuscate(exactBasis, images, { scale: 1, box }, new Rng(6));
    for (let i = 0; i < images.rows; i++) {
      const y = row(o.inputs, i);
      assert.ok(
        y.every((v) => v >= box.lo && v <= box.hi),
        `input ${i} leaves the box`,
      );
      const qx = spanCoordinates(exactBasis, row(images, i));
      const qy = spanCoordinates(exactBasis, y);
      const residual = norm2(qy.map((v, j) => v - qx[j]));
      assert.ok(residual <= tolerance, `input ${i}: residual ${residual}`);
      assert.ok(o.met[i]);
      assert.ok(pearson(row(images, i), y) < 0.9, `input ${i} is still the original`);
    }
  });

  it('says so, per input, when the constraints cannot be met', () => {
    // A basis that contains the first pixel's axis pins x′₀ = x₀; x₀ = 5 cannot be in [0, 1].
    const q = orthonormalRows({
      rows: 1,
      cols: N,
      data: Float64Array.from({ length: N }, (_, t) => (t === 0 ? 1 : 0)),
    });
    const inputs = { rows: 2, cols: N, data: images.data.slice(0, 2 * N) };
    inputs.data[N] = 5;
    const o = obfuscate(q, inputs, { scale: 1, box }, new Rng(1));
    assert.deepEqual(o.met, [true, false]);
    assert.ok(o.spanResidual[1] > tolerance);
  });
});

describe('plainNoise', () => {
  it('moves each input as far as its obfuscation did; with a box, stays inside it', () => {
    const rng = new Rng(12);
    const o = obfuscate(exactBasis, images, { scale: 1.5, box: null }, rng);
    const noise = plainNoise(images, o.inputs, null, rng);
    const distance = (m: Matrix, i: number): number =>
      norm2(row(m, i).map((v, t) => v - images.data[i * N + t]));
    for (let i = 0; i < images.rows; i++) {
      // 1e-12 relative: two float64 norms of the same length.
      assert.ok(
        Math.abs(distance(noise, i) - distance(o.inputs, i)) <= 1e-12 * distance(o.inputs, i),
      );
    }
    const clipped = plainNoise(images, o.inputs, { lo: 0, hi: 1 }, rng);
    assert.ok(clipped.data.every((v) => v >= 0 && v <= 1));
  });
});
