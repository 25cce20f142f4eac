import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { norm2, type Matrix } from '../../src/linalg/matrix.js';
import { orthonormalRows, projectOntoComplement } from '../../src/linalg/orthonormal.js';
import { singularValues } from '../../src/linalg/svd.js';
import { inputGradient } from '../../src/nets/inputGradient.js';
import { layerNormInPlace } from '../../src/nets/layerNorm.js';
import { activationFn, dense, forwardRow, type Network } from '../../src/nets/network.js';
import { randomNetwork, type RandomNetworkOptions } from '../../src/nets/randomNetwork.js';
import { Rng } from '../../src/random/rng.js';

const base: RandomNetworkOptions = {
  inputDim: 20,
  firstWidth: 12,
  hiddenWidths: [16],
  outputs: 3,
  activation: 'relu',
  bias: true,
};
const draw = (extra: Partial<RandomNetworkOptions>, seed = 4): Network =>
  randomNetwork({ ...base, ...extra }, new Rng(seed));

/** Exact float64 arithmetic with a handful of roundings (norms, ratios, 1/ρ·ρ). */
const F64_CLOSE = 1e-12;
/**
 * How far a random ReLU net's own units differ in averaged gradient norm (ours: 16 units into a
 * 64-wide hidden layer, 200 points): measured max/min 2.7–5.4 over six seeds with no spread,
 * and the spread ratio over S within [0.75, 3.6]. A spread of 100 stands far above it.
 */
const NATURAL_SPREAD = 6;
/** Singular values of exact gradients that are rounding, not directions (relative to s₀). */
const GRADIENT_RANK_TOL = 1e-10;

function columnNorms(m: Matrix): Float64Array {
  const sq = new Float64Array(m.cols);
  for (let i = 0; i < m.data.length; i++) sq[i % m.cols] += m.data[i] ** 2;
  return sq.map(Math.sqrt);
}

/**
 * Each first-layer unit's influence: ‖∂f/∂h_i‖₂ over the m scores, h the first layer's
 * activations, averaged over standard normal inputs (exact gradients of the rest of the net).
 */
function influences(net: Network, points: number, rng: Rng): Float64Array {
  const [first, ...rest] = net.layers;
  const tail: Network = { layers: rest, activation: net.activation, head: net.head };
  const m = rest[rest.length - 1].weight.rows;
  const out = new Float64Array(first.weight.rows);
  for (let p = 0; p < points; p++) {
    const z = dense(first, rng.gaussianVector(first.weight.cols));
    if (net.layerNorm) layerNormInPlace(net.layerNorm, z);
    const h = z.map(activationFn(net.activation));
    const sq = new Float64Array(out.length);
    for (let j = 0; j < m; j++) {
      const pick = new Float64Array(m);
      pick[j] = 1;
      inputGradient(tail, h, pick).forEach((g, i) => (sq[i] += g * g));
    }
    sq.forEach((s, i) => (out[i] += Math.sqrt(s) / points));
  }
  return out;
}

const spreadOf = (v: Float64Array): number => Math.max(...v) / Math.min(...v);

/** Exact gradients of every score at `points` normal inputs, one per row. */
function gradientRows(net: Network, points: number, rng: Rng): Matrix {
  const n = net.layers[0].weight.cols;
  const m = net.layers[net.layers.length - 1].weight.rows;
  const data = new Float64Array(points * m * n);
  for (let p = 0; p < points; p++) {
    const x = rng.gaussianVector(n);
    for (let j = 0; j < m; j++) {
      const pick = new Float64Array(m);
      pick[j] = 1;
      data.set(inputGradient(net, x, pick), (p * m + j) * n);
    }
  }
  return { rows: points * m, cols: n, data };
}

function numericalRank(m: Matrix): number {
  const s = singularValues(m);
  return s.filter((v) => v > GRADIENT_RANK_TOL * s[0]).length;
}

describe('randomNetwork', () => {
  it('is reproducible from the seed, and the new options only add to the same draw', () => {
    const plain = draw({});
    assert.deepEqual(draw({}), plain);
    assert.equal(plain.head, 'linear');
    assert.equal(plain.layerNorm, undefined);
    const extended = draw({ head: 'softmax', layerNorm: true });
    assert.deepEqual(extended.layers, plain.layers);
    assert.equal(extended.head, 'softmax');
    assert.ok(extended.layerNorm);
    const spread = draw({ influenceSpread: 10 });
    assert.deepEqual(spread.layers[0], plain.layers[0]);
    assert.deepEqual(spread.layers.slice(2), plain.layers.slice(2));
    // layer 2's columns are positive multiples of the plain draw's
    const [w, w0] = [spread.layers[1].weight, plain.layers[1].weight];
    for (let i = 0; i < w.data.length; i++) {
      const col = i % w.cols;
      const ratio = w.data[col] / w0.data[col];
      assert.ok(ratio > 0);
      assert.ok(Math.abs(w.data[i] - ratio * w0.data[i]) <= F64_CLOSE * Math.abs(w.data[i]));
    }
  });

  it('draws LayerNorm parameters near the identity (γ ≈ 1, β ≈ 0, ε = 1e-5)', () => {
    const ln = draw({ layerNorm: true }).layerNorm;
    assert.ok(ln);
    assert.equal(ln.gamma.length, base.firstWidth);
    assert.equal(ln.epsilon, 1e-5);
    // std 0.1: six standard deviations would be a bug, not bad luck
    assert.ok(ln.gamma.every((g) => Math.abs(g - 1) < 0.6));
    assert.ok(ln.beta.every((b) => Math.abs(b) < 0.6));
    assert.ok(ln.gamma.some((g) => g !== 1) && ln.beta.some((b) => b !== 0), 'not plain');
  });

  it('spreads the outgoing column norms geometrically over exactly S, in shuffled order', () => {
    const S = 50;
    const k = base.firstWidth;
    const norms = columnNorms(draw({ influenceSpread: S }).layers[1].weight);
    const sorted = Array.from(norms).sort((a, b) => b - a);
    for (let i = 0; i + 1 < k; i++) {
      const step = sorted[i] / sorted[i + 1];
      assert.ok(Math.abs(step - S ** (1 / (k - 1))) <= F64_CLOSE * step, `step ${i}: ${step}`);
    }
    assert.ok(Math.abs(spreadOf(norms) / S - 1) <= F64_CLOSE);
    assert.notDeepEqual(Array.from(norms), sorted, 'shuffled, not in unit order');
  });

  it('makes the measured influence of the units span S (exactly when layer 2 is last)', () => {
    const S = 100;
    // one dense layer after the first and a sigmoid score: ∂f/∂h_i = σ'(z)·w_i, so the averaged
    // gradient norms are the column norms times one common factor
    const direct = { hiddenWidths: [], outputs: 1, head: 'sigmoid' } as const;
    const exact = influences(draw({ ...direct, influenceSpread: S }), 50, new Rng(1));
    assert.ok(Math.abs(spreadOf(exact) / S - 1) <= F64_CLOSE, `${spreadOf(exact)}`);
    // a hidden ReLU layer in between: S up to the net's own spread between units
    const deep = { hiddenWidths: [64], outputs: 1, firstWidth: 16, head: 'sigmoid' } as const;
    const off = spreadOf(influences(draw(deep), 200, new Rng(2)));
    const on = spreadOf(influences(draw({ ...deep, influenceSpread: S }), 200, new Rng(2)));
    assert.ok(off < NATURAL_SPREAD, `no spread: ${off}`);
    assert.ok(on > S / NATURAL_SPREAD && on < S * NATURAL_SPREAD, `spread ${S}: ${on}`);
  });
});

describe('randomNetwork with dead units', () => {
  const wide = { inputDim: 24, firstWidth: 10, hiddenWidths: [16], outputs: 2 };

  it('zeroes D outgoing columns and changes nothing else in the draw', () => {
    const plain = draw(wide);
    const dead = draw({ ...wide, deadUnits: 3 });
    assert.deepEqual(dead.layers[0], plain.layers[0]);
    assert.deepEqual(dead.layers.slice(2), plain.layers.slice(2));
    const norms = columnNorms(dead.layers[1].weight);
    assert.equal(norms.filter((v) => v === 0).length, 3);
    const before = columnNorms(plain.layers[1].weight);
    norms.forEach((v, c) => assert.ok(v === 0 || v === before[c]));
  });

  it('leaves exactly k − D directions for the gradients: the recoverable rank', () => {
    const k = wide.firstWidth;
    for (const d of [0, 1, 4, k - 1]) {
      const net = draw({ ...wide, deadUnits: d });
      assert.equal(numericalRank(gradientRows(net, 3 * k, new Rng(5))), k - d, `D = ${d}`);
    }
  });

  it('refuses D ≥ k (no unit would reach the output)', () => {
    assert.throws(() => draw({ ...wide, deadUnits: wide.firstWidth }), /dead units/);
  });
});

describe('randomNetwork with a first-layer LayerNorm', () => {
  // n > k: A has full row rank k, and its column span (all of R^k) contains 1
  const wide = { inputDim: 24, firstWidth: 10, hiddenWidths: [16], outputs: 2 };

  it('hides exactly one direction of the row span of A: the recoverable rank is k − 1', () => {
    const k = wide.firstWidth;
    const withLn = draw({ ...wide, layerNorm: true });
    const grads = gradientRows(withLn, 3 * k, new Rng(5));
    assert.equal(numericalRank(grads), k - 1);
    assert.equal(numericalRank(gradientRows(draw(wide), 3 * k, new Rng(5))), k, 'without');
    // and every gradient lies in the row span of A (the truth make-net writes)
    const spanA = orthonormalRows(withLn.layers[0].weight);
    for (let r = 0; r < grads.rows; r++) {
      const g = grads.data.subarray(r * grads.cols, (r + 1) * grads.cols);
      assert.ok(norm2(projectOntoComplement(spanA, g)) <= F64_CLOSE * norm2(g));
    }
  });

  it('is blind to A⁺1, the move of x that shifts every first-layer unit equally', () => {
    const net = draw({ ...wide, layerNorm: true });
    const a = net.layers[0].weight;
    // the direction of span(A) orthogonal to the centred rows (I − 11ᵀ/k)A
    const centred = a.data.map((v, i) => v - meanOfColumn(a, i % a.cols));
    const seen = orthonormalRows({ ...a, data: centred }, 1e-12);
    assert.equal(seen.rows, a.rows - 1);
    let blind: Float64Array | null = null;
    for (let r = 0; r < a.rows && blind === null; r++) {
      const v = projectOntoComplement(seen, a.data.subarray(r * a.cols, (r + 1) * a.cols));
      if (norm2(v) > 1e-6) blind = v.map((t) => t / norm2(v));
    }
    assert.ok(blind);
    // A·blind is a multiple of 1 ...
    const shift = dense({ weight: a, bias: null }, blind);
    shift.forEach((s) => assert.ok(Math.abs(s - shift[0]) <= F64_CLOSE * Math.abs(shift[0])));
    // ... so the scores do not move along it (rounding only), while they do along A's rows
    const rng = new Rng(6);
    const x = rng.gaussianVector(a.cols);
    const moved = x.map((t, i) => t + 3 * blind[i]);
    const [y, yMoved] = [forwardRow(net, x), forwardRow(net, moved)];
    y.forEach((v, j) => assert.ok(Math.abs(yMoved[j] - v) <= 1e-13, `score ${j}`));
    const along = x.map((t, i) => t + 3 * a.data[i]);
    assert.ok(Math.abs(forwardRow(net, along)[0] - y[0]) > 1e-3);
  });

  it('keeps the whole rank when 1 is outside the column span of A (k > n)', () => {
    const tall = { inputDim: 8, firstWidth: 12, hiddenWidths: [16], outputs: 2, layerNorm: true };
    assert.equal(numericalRank(gradientRows(draw(tall), 30, new Rng(7))), 8);
  });
});

function meanOfColumn(m: Matrix, col: number): number {
  let s = 0;
  for (let r = 0; r < m.rows; r++) s += m.data[r * m.cols + col];
  return s / m.rows;
}
