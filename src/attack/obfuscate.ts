/**
 * The paper's input-obfuscation attack: `x' = P x + (I − P) z`, with P the orthogonal projector
 * onto the row span of the first layer, is read by the network exactly as `x` for any noise z;
 * with a large z a person sees noise. The bounded variant also keeps every entry in a box.
 */
import { norm2, row, zeros, type Matrix } from '../linalg/matrix.js';
import { projectOntoComplementInPlace } from '../linalg/orthonormal.js';
import type { Rng } from '../random/rng.js';
import { clipIntoBox, type Box } from './box.js';
import { projectOntoSpanAndBox } from './boxProjection.js';
import { addSpanCombination, spanCoordinates } from './spanProjector.js';

/**
 * Default `--scale`: the noise `(I − P) z` has norm `scale · ‖x‖`. At 1 a 784-pixel digit under
 * a 128-dimensional span keeps a pixel correlation of about 0.15 with the original (0.28 inside
 * the box [0, 1]; figures in docs/REFERENCE.md): a person sees noise.
 */
export const DEFAULT_OBFUSCATION_SCALE = 1;

export interface ObfuscationOptions {
  /** Norm of the added noise relative to `‖x‖`. */
  readonly scale: number;
  /** Keep every entry inside this box (the bounded variant), or `null`. */
  readonly box: Box | null;
}

export interface Obfuscated {
  /** `count × n`, row i the obfuscated input i. */
  readonly inputs: Matrix;
  /** Per input: `‖P x' − P x‖`; reported as 0 when unbounded (exact there up to rounding). */
  readonly spanResidual: Float64Array;
  /** Per input: whether the constraints were met within tolerance (always true unbounded). */
  readonly met: boolean[];
}

/**
 * Obfuscate every row of `inputs` under the orthonormal basis `q` (`r × n`).
 * @param rng - draws the noise, one Gaussian vector per input in row order.
 */
export function obfuscate(
  q: Matrix,
  inputs: Matrix,
  options: ObfuscationOptions,
  rng: Rng,
): Obfuscated {
  const out = zeros(inputs.rows, inputs.cols);
  const spanResidual = new Float64Array(inputs.rows);
  const met: boolean[] = [];
  for (let i = 0; i < inputs.rows; i++) {
    const x = row(inputs, i);
    const target = spanCoordinates(q, x);
    const noisy = addSpanCombination(q, target, complementNoise(q, norm2(x) * options.scale, rng));
    if (options.box === null) {
      row(out, i).set(noisy);
      met.push(true);
    } else {
      const p = projectOntoSpanAndBox(q, target, noisy, options.box);
      row(out, i).set(p.y);
      spanResidual[i] = p.spanResidual;
      met.push(p.met);
    }
  }
  return { inputs: out, spanResidual, met };
}

/**
 * `(I − P) z` for Gaussian z, rescaled to norm `size`; zero when the complement is empty.
 * A z (almost) inside the span is drawn again: rescaling its rounding-level remainder would
 * give noise of no particular direction. It happens by chance with probability ~1e-6^(n−r),
 * and for sure when the rng's stream is the one the network's weights were drawn from.
 */
function complementNoise(q: Matrix, size: number, rng: Rng): Float64Array {
  if (q.rows >= q.cols) return new Float64Array(q.cols);
  for (;;) {
    const z = rng.gaussianVector(q.cols);
    const zNorm = norm2(z);
    const w = projectOntoComplementInPlace(q, z);
    const norm = norm2(w);
    if (norm > 1e-6 * zNorm) {
      for (let t = 0; t < w.length; t++) w[t] *= size / norm;
      return w;
    }
  }
}

/**
 * The baseline: `x + g`, with g Gaussian of the same norm as `x' − x` (then clipped into the
 * box, if any), so any difference in what the model reads is due to the direction of the
 * noise, not its size.
 */
export function plainNoise(inputs: Matrix, obfuscated: Matrix, box: Box | null, rng: Rng): Matrix {
  const out = zeros(inputs.rows, inputs.cols);
  for (let i = 0; i < inputs.rows; i++) {
    const x = row(inputs, i);
    const moved = row(obfuscated, i);
    let distance = 0;
    for (let t = 0; t < x.length; t++) distance += (moved[t] - x[t]) ** 2;
    const g = rng.gaussianVector(x.length);
    const factor = Math.sqrt(distance) / (norm2(g) || 1);
    const y = row(out, i);
    for (let t = 0; t < x.length; t++) y[t] = x[t] + factor * g[t];
    if (box !== null) clipIntoBox(y, box);
  }
  return out;
}
