import { matmul, zeros, type Matrix } from '../linalg/matrix.js';
import type { Rng } from '../random/rng.js';
import type { Head } from './head.js';
import { LAYER_NORM_EPSILON, type LayerNorm } from './layerNorm.js';
import type { Activation, DenseLayer, Network } from './network.js';

/** What `spanrec make-net` draws. */
export interface RandomNetworkOptions {
  /** Input dimension n. */
  inputDim: number;
  /** First-layer width k (rows of A). */
  firstWidth: number;
  /** Widths of the hidden layers after the first. */
  hiddenWidths: readonly number[];
  /** Number of outputs m. */
  outputs: number;
  activation: Activation;
  bias: boolean;
  /** rank(A); defaults to min(k, n). Lower values make a rank-deficient first layer. */
  firstRank?: number;
  /** Output head after the last layer (default `linear`). */
  head?: Head;
  /**
   * LayerNorm over the k first-layer units, before their activation (default off): ε = 1e-5,
   * γ = 1 + 0.1·N(0, 1) and β = 0.1·N(0, 1) per unit (a trained LayerNorm's affine part is
   * not the identity). The network then reads x only through P A x, P = I − 11ᵀ/k: moving x
   * along A⁺1 (which shifts every unit equally) changes nothing. So the recoverable span is
   * the row span of P A, inside that of A, of dimension rank(A) − 1 when 1 lies in the column
   * span of A (always for a full-rank A with k ≤ n: a k×n A recovers as k − 1 dimensions),
   * else rank(A) (e.g. k > n, or a generic low-rank A).
   */
  layerNorm?: boolean;
  /**
   * Influence spread S ≥ 1 (default 1, off): column i of the second layer's weight (unit i's
   * outgoing weights) is rescaled to the norm ρ·S^(−r_i/(k−1)), where ρ is the root mean
   * square of the drawn column norms and r a uniformly random permutation of 0..k−1. The
   * column norms then run geometrically from ρ down to ρ/S, in shuffled unit order, so the
   * weakest unit moves the output S times less than the strongest: exactly (in gradient norm,
   * at every input) when the second layer is the last and the head is linear or m = 1;
   * otherwise up to how each column's direction meets the rest of the net, which spreads the
   * units of a random net by a small factor of its own. Needs k ≥ 2.
   */
  influenceSpread?: number;
  /**
   * Dead first-layer units D (default 0): D units, chosen uniformly at random, get all-zero
   * outgoing weights (their columns of the second layer's weight), so they never reach the
   * output. No query can see their rows of A: the recoverable span is the row span of the
   * other k − D rows, of dimension min(k − D, n) for a full-rank A. Needs D < k.
   */
  deadUnits?: number;
}

/**
 * Draw a network with He-style Gaussian weights (variance 2/fan_in, which keeps ReLU
 * activations at unit scale through depth) and small Gaussian biases (std 0.1).
 * A rank-deficient `A` is drawn as a product `B C` of Gaussian factors.
 * The layers are drawn first, then the LayerNorm's γ and β, then the influence permutation,
 * then the dead units, so for a given seed the options only add to (or rescale) the network
 * drawn without them.
 */
export function randomNetwork(opts: RandomNetworkOptions, rng: Rng): Network {
  const { inputDim: n, firstWidth: k } = opts;
  const rank = opts.firstRank ?? Math.min(k, n);
  if (rank < 1 || rank > Math.min(k, n)) {
    throw new Error(`first-layer rank must be in [1, ${Math.min(k, n)}], got ${rank}`);
  }
  const widths = [n, k, ...opts.hiddenWidths, opts.outputs];
  const layers: DenseLayer[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const fanIn = widths[l];
    const out = widths[l + 1];
    const weight =
      l === 0 && rank < Math.min(k, n)
        ? lowRankGaussian(out, fanIn, rank, Math.sqrt(2 / fanIn), rng)
        : gaussianMatrix(out, fanIn, Math.sqrt(2 / fanIn), rng);
    const bias = opts.bias ? scaled(rng.gaussianVector(out), 0.1) : null;
    layers.push({ weight, bias });
  }
  const layerNorm = opts.layerNorm ? randomLayerNorm(k, rng) : undefined;
  const spread = opts.influenceSpread ?? 1;
  if (spread !== 1) spreadColumns(layers[1].weight, influenceScales(k, spread, rng));
  const dead = opts.deadUnits ?? 0;
  if (dead !== 0) zeroColumns(layers[1].weight, randomSubset(k, dead, rng));
  return { layers, activation: opts.activation, head: opts.head ?? 'linear', layerNorm };
}

/** `count` distinct indices drawn uniformly from 0..size−1 (a partial Fisher–Yates). */
function randomSubset(size: number, count: number, rng: Rng): number[] {
  if (!Number.isInteger(count) || count < 0 || count >= size) {
    throw new Error(`dead units must be an integer in [0, ${size - 1}], got ${count}`);
  }
  const order = Array.from({ length: size }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(size - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, count);
}

/** Zero the given columns of `m`: those units of the layer below feed nothing forward. */
function zeroColumns(m: Matrix, columns: readonly number[]): void {
  for (const c of columns) for (let r = 0; r < m.rows; r++) m.data[r * m.cols + c] = 0;
}

/** Standard deviations of γ − 1 and of β in a drawn LayerNorm. */
const LAYER_NORM_GAMMA_STD = 0.1;
const LAYER_NORM_BETA_STD = 0.1;

function randomLayerNorm(k: number, rng: Rng): LayerNorm {
  const gamma = scaled(rng.gaussianVector(k), LAYER_NORM_GAMMA_STD).map((g) => 1 + g);
  const beta = scaled(rng.gaussianVector(k), LAYER_NORM_BETA_STD);
  return { gamma, beta, epsilon: LAYER_NORM_EPSILON };
}

/**
 * Per-unit scales S^(−r_i/(k−1)) for a uniformly random permutation r of 0..k−1: geometric
 * from 1 down to 1/S, in shuffled order.
 */
function influenceScales(k: number, spread: number, rng: Rng): Float64Array {
  if (!(spread >= 1) || k < 2) {
    throw new Error(`influence spread needs S ≥ 1 and k ≥ 2, got S = ${spread}, k = ${k}`);
  }
  const rankOf = Array.from({ length: k }, (_, i) => i);
  for (let i = k - 1; i > 0; i--) {
    // Fisher–Yates
    const j = rng.int(i + 1);
    [rankOf[i], rankOf[j]] = [rankOf[j], rankOf[i]];
  }
  return Float64Array.from(rankOf, (r) => spread ** (-r / (k - 1)));
}

/**
 * Give column c of `m` the norm ρ·scales[c], ρ the root mean square of the drawn column norms:
 * normalizing first makes the norms' spread exactly that of the scales, whatever the draw.
 */
function spreadColumns(m: Matrix, scales: Float64Array): void {
  const sq = new Float64Array(m.cols);
  for (let i = 0; i < m.data.length; i++) sq[i % m.cols] += m.data[i] ** 2;
  const rms = Math.sqrt(sq.reduce((a, b) => a + b, 0) / m.cols);
  const factor = scales.map((s, c) => (rms * s) / Math.sqrt(sq[c]));
  for (let i = 0; i < m.data.length; i++) m.data[i] *= factor[i % m.cols];
}

function gaussianMatrix(rows: number, cols: number, std: number, rng: Rng): Matrix {
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = std * rng.gaussian();
  return m;
}

function lowRankGaussian(rows: number, cols: number, rank: number, std: number, rng: Rng): Matrix {
  const b = gaussianMatrix(rows, rank, 1 / Math.sqrt(rank), rng);
  const c = gaussianMatrix(rank, cols, std, rng);
  return matmul(b, c);
}

function scaled(v: Float64Array, s: number): Float64Array {
  for (let i = 0; i < v.length; i++) v[i] *= s;
  return v;
}
