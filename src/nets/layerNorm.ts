/**
 * LayerNorm over one layer's units, as PyTorch's `nn.LayerNorm(k)` and ONNX's
 * `LayerNormalization(axis = −1)` compute it:
 * v = γ ⊙ (u − mean(u)) / √(var(u) + ε) + β, with the biased variance (divided by k).
 *
 * It sees u only through u − mean(u) (the projection of u onto 1⊥), so a network that
 * normalizes its first layer's outputs u = A x + b cannot see moves of x that shift every unit
 * equally: see `randomNetwork`'s `layerNorm` option for what that does to the recoverable span.
 */
export interface LayerNorm {
  /** Per-unit scale γ (length k). */
  readonly gamma: Float64Array;
  /** Per-unit shift β (length k). */
  readonly beta: Float64Array;
  /** Added to the variance before the square root. */
  readonly epsilon: number;
}

/** PyTorch's default `eps` for `nn.LayerNorm`. */
export const LAYER_NORM_EPSILON = 1e-5;

/** The centred row and √(var + ε); shared by the forward and reverse passes. */
function normalize(ln: LayerNorm, u: Float64Array): { centred: Float64Array; std: number } {
  const k = u.length;
  let mean = 0;
  for (const v of u) mean += v;
  mean /= k;
  // two passes (centre, then square): no cancellation when |mean| ≫ std
  const centred = u.map((v) => v - mean);
  let variance = 0;
  for (const d of centred) variance += d * d;
  variance /= k;
  return { centred, std: Math.sqrt(variance + ln.epsilon) };
}

/** Apply `ln` in place to one row of k units; returns the row. */
export function layerNormInPlace(ln: LayerNorm, u: Float64Array): Float64Array {
  if (u.length !== ln.gamma.length) {
    throw new Error(`LayerNorm over ${ln.gamma.length} units applied to ${u.length}`);
  }
  const { centred, std } = normalize(ln, u);
  // the order of the exported graph's ops (Div, Mul, Add), so f64 exports agree to the ulp
  for (let i = 0; i < u.length; i++) u[i] = (centred[i] / std) * ln.gamma[i] + ln.beta[i];
  return u;
}

/**
 * Reverse mode through `ln` at input `u`: given a cotangent `g` on its outputs, the cotangent
 * on `u`. With x̂ = (u − mean)/s and h = γ ⊙ g:
 * ∂/∂u = (h − mean(h) − x̂ · mean(h ⊙ x̂)) / s. It sums to zero: LayerNorm is blind to 1.
 */
export function layerNormVjp(ln: LayerNorm, u: Float64Array, g: Float64Array): Float64Array {
  const k = u.length;
  const { centred, std } = normalize(ln, u);
  const h = g.map((gi, i) => gi * ln.gamma[i]);
  let meanH = 0;
  let meanHx = 0;
  for (let i = 0; i < k; i++) {
    meanH += h[i];
    meanHx += (h[i] * centred[i]) / std;
  }
  meanH /= k;
  meanHx /= k;
  return h.map((hi, i) => (hi - meanH - (centred[i] / std) * meanHx) / std);
}
