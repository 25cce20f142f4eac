import type { Matrix } from '../linalg/matrix.js';
import { applyHead, sigmoid, type Head } from './head.js';
import { layerNormInPlace, type LayerNorm } from './layerNorm.js';

/** Elementwise activations a generated network may use between layers. */
export type Activation = 'relu' | 'leaky' | 'tanh' | 'sigmoid' | 'gelu';
export const ACTIVATIONS: readonly Activation[] = ['relu', 'leaky', 'tanh', 'sigmoid', 'gelu'];

/** Negative slope of the `leaky` activation (PyTorch's default). */
export const LEAKY_SLOPE = 0.01;

/** One dense layer `y = W x + b`; `weight` is `out × in`. */
export interface DenseLayer {
  readonly weight: Matrix;
  readonly bias: Float64Array | null;
}

/**
 * A feed-forward network `x -> head(L_last(σ(… σ(N(L_1 x)) …)))`: the activation follows every
 * layer except the last, whose outputs go through the head to make the scores; N is the
 * optional LayerNorm on the first layer's units. `layers[0].weight` is the paper's `A` (k × n).
 */
export interface Network {
  readonly layers: readonly DenseLayer[];
  readonly activation: Activation;
  /** Applied to the last layer's outputs; absent means `linear` (the outputs are the scores). */
  readonly head?: Head;
  /** Applied to the first layer's outputs before its activation; absent means none. */
  readonly layerNorm?: LayerNorm;
}

export function inputDim(net: Network): number {
  return net.layers[0].weight.cols;
}

export function outputDim(net: Network): number {
  return net.layers[net.layers.length - 1].weight.rows;
}

/** The activation as a scalar function, in float64. */
export function activationFn(act: Activation): (z: number) => number {
  switch (act) {
    case 'relu':
      return (z) => (z > 0 ? z : 0);
    case 'leaky':
      return (z) => (z > 0 ? z : LEAKY_SLOPE * z);
    case 'tanh':
      return Math.tanh;
    case 'sigmoid':
      return sigmoid;
    case 'gelu':
      // exact GELU, x·Φ(x), matching ONNX's Gelu (opset 20) default and PyTorch's default
      return (z) => 0.5 * z * (1 + erf(z / Math.SQRT2));
  }
}

/** The activation's derivative, in float64; at the kink of relu and leaky, the left slope. */
export function activationDerivative(act: Activation): (z: number) => number {
  switch (act) {
    case 'relu':
      return (z) => (z > 0 ? 1 : 0);
    case 'leaky':
      return (z) => (z > 0 ? 1 : LEAKY_SLOPE);
    case 'tanh':
      return (z) => 1 - Math.tanh(z) ** 2;
    case 'sigmoid':
      return (z) => sigmoid(z) * (1 - sigmoid(z));
    case 'gelu':
      // d/dz z·Φ(z) = Φ(z) + z·φ(z)
      return (z) =>
        0.5 * (1 + erf(z / Math.SQRT2)) + (z * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI);
  }
}

/** One dense layer on one row: `W x + b`, summed in input order. */
export function dense(layer: DenseLayer, x: Float64Array): Float64Array {
  const { weight, bias } = layer;
  const width = weight.cols;
  const out = new Float64Array(weight.rows);
  for (let o = 0; o < weight.rows; o++) {
    let s = bias ? bias[o] : 0;
    const wo = o * width;
    for (let i = 0; i < width; i++) s += weight.data[wo + i] * x[i];
    out[o] = s;
  }
  return out;
}

/** {@link forward} on one input row. */
export function forwardRow(net: Network, x: Float64Array): Float64Array {
  const act = activationFn(net.activation);
  const last = net.layers.length - 1;
  let cur = x;
  net.layers.forEach((layer, li) => {
    if (layer.weight.cols !== cur.length) {
      throw new Error(`layer ${li} expects ${layer.weight.cols} inputs, got ${cur.length}`);
    }
    const z = dense(layer, cur);
    if (li === 0 && net.layerNorm) layerNormInPlace(net.layerNorm, z);
    if (li < last) for (let i = 0; i < z.length; i++) z[i] = act(z[i]);
    cur = z;
  });
  return applyHead(net.head ?? 'linear', cur);
}

/**
 * Evaluate the network in float64 on every row of `inputs` (`B × n`); returns `B × m`.
 * This is the reference the ONNX export and the oracles are tested against.
 */
export function forward(net: Network, inputs: Matrix): Matrix {
  const n = inputs.cols;
  const m = outputDim(net);
  if (n !== inputDim(net)) throw new Error(`layer 0 expects ${inputDim(net)} inputs, got ${n}`);
  const out = new Float64Array(inputs.rows * m);
  for (let b = 0; b < inputs.rows; b++) {
    out.set(forwardRow(net, inputs.data.subarray(b * n, (b + 1) * n)), b * m);
  }
  return { rows: inputs.rows, cols: m, data: out };
}

/**
 * The error function to ~1e-16 relative: a Taylor series near 0 and a continued fraction for
 * erfc in the tails (Abramowitz–Stegun-style rational fits are only good to ~1e-7, too coarse
 * for a float64 reference network).
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf(x) = 2/√π · e^(−x²) · Σ (2x²)^n · x / (1·3·5···(2n+1)): every term is positive,
    // so no cancellation (the alternating Taylor series loses ~4e-15 near 2.5).
    const x2 = ax * ax;
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
    return x < 0 ? -r : r;
  }
  // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …)))) (Lentz's method)
  const tiny = 1e-300;
  let f = ax;
  let c = ax;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = ax + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = ax + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  const r = 1 - erfc;
  return x < 0 ? -r : r;
}
