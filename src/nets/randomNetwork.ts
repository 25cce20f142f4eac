import { matmul, zeros, type Matrix } from '../linalg/matrix.js';
import type { Rng } from '../random/rng.js';
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
}

/**
 * Draw a network with He-style Gaussian weights (variance 2/fan_in, which keeps ReLU
 * activations at unit scale through depth) and small Gaussian biases (std 0.1).
 * A rank-deficient `A` is drawn as a product `B C` of Gaussian factors.
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
  return { layers, activation: opts.activation };
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
