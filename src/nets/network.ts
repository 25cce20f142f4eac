import type { Matrix } from '../linalg/matrix.js';

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
 * A feed-forward network `x -> L_last(σ(… σ(L_1 x) …))`: the activation follows every layer
 * except the last, whose outputs are the scores. `layers[0].weight` is the paper's `A` (k × n).
 */
export interface Network {
  readonly layers: readonly DenseLayer[];
  readonly activation: Activation;
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
      return (z) => 1 / (1 + Math.exp(-z));
    case 'gelu':
      // exact GELU, x·Φ(x), matching ONNX's Gelu (opset 20) default and PyTorch's default
      return (z) => 0.5 * z * (1 + erf(z / Math.SQRT2));
  }
}

/**
 * Evaluate the network in float64 on every row of `inputs` (`B × n`); returns `B × m`.
 * This is the reference the ONNX export and the oracles are tested against.
 */
export function forward(net: Network, inputs: Matrix): Matrix {
  const act = activationFn(net.activation);
  let cur = inputs.data;
  let width = inputs.cols;
  net.layers.forEach((layer, li) => {
    const { weight, bias } = layer;
    if (weight.cols !== width) {
      throw new Error(`layer ${li} expects ${weight.cols} inputs, got ${width}`);
    }
    const next = new Float64Array(inputs.rows * weight.rows);
    const last = li === net.layers.length - 1;
    for (let b = 0; b < inputs.rows; b++) {
      for (let o = 0; o < weight.rows; o++) {
        let s = bias ? bias[o] : 0;
        const wo = o * width;
        const xb = b * width;
        for (let i = 0; i < width; i++) s += weight.data[wo + i] * cur[xb + i];
        next[b * weight.rows + o] = last ? s : act(s);
      }
    }
    cur = next;
    width = weight.rows;
  });
  return { rows: inputs.rows, cols: width, data: cur };
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
