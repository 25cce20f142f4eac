import { BudgetExhaustedError } from '../errors.js';
import { zeros } from '../linalg/matrix.js';
import type { Oracle, Precision } from '../oracle/oracle.js';
import type { Rng } from '../random/rng.js';

/**
 * Unit roundoff of a model's arithmetic. Methods resolve an `unknown` precision first with
 * {@link probePrecision}; if one still arrives here it is treated as float64.
 */
export function unitRoundoff(p: Precision): number {
  return p === 'f32' ? 2 ** -24 : 2 ** -53;
}

/**
 * Default forward-difference step for inputs of unit scale (the paper's Gaussian points).
 * float64: rounding error shrinks as 1/step and the chance of crossing a ReLU boundary grows
 * as step. Measured on random ReLU nets (n=100, k=50 and n=200, k=60): max angle 7e-8 / 7e-9 /
 * 7e-10 at steps 1e-6 / 1e-5 / 1e-4 with no point rejected by the kink check; at 1e-3 kinks
 * get through the check's tolerance. 1e-5 leaves a 10× margin on both sides; smooth
 * activations pay a truncation error ∝ step (2e-5 rad on tanh nets).
 * float32: 1e-3 is the smallest step that rises clearly above float32 rounding (docs/METHOD.md,
 * "Finite differences and float32").
 */
export function defaultStep(p: Precision): number {
  return p === 'f32' ? 1e-3 : 1e-5;
}

/**
 * Default number of random check directions per point. One suffices in float64, where a
 * kink's residual stands decades above rounding. In float32 a kink can hide below the noise
 * when the check direction is nearly orthogonal to the corrupted coordinate; three checks
 * make that unlikely for 2 extra rows on top of n + 1.
 */
export function defaultChecks(p: Precision): number {
  return p === 'f32' ? 3 : 1;
}

/**
 * Relative size of each coordinate's probe move, 2^-28…2^-27: below a quarter of float32
 * spacing (≥ 2^-24 relative), so a float32 model rounds a moved float32 value back to itself
 * exactly, and 2^24 times float64 spacing, so a float64 model's output moves.
 */
export const PROBE_RELATIVE_MOVE = 2 ** -27;

/** Points probed; a float64 model flat at one of them (all units dead) still moves at another. */
export const PROBE_POINTS = 2;

/**
 * Tell a float32 model from a float64 one with `2 × PROBE_POINTS` queries, for black boxes
 * that do not say (`cmd:`). At random points whose coordinates are exact float32 values, move
 * every coordinate by a fraction of its float32 spacing: a model that rounds its input to
 * float32 sees the same input and answers identically; any output that moves means float64.
 * Identical outputs everywhere may also mean a locally constant model, where the float32 step
 * is the safe choice anyway.
 */
export async function probePrecision(oracle: Oracle, rng: Rng): Promise<'f32' | 'f64'> {
  const n = oracle.inputDim;
  const rows = zeros(2 * PROBE_POINTS, n);
  for (let p = 0; p < PROBE_POINTS; p++) {
    for (let j = 0; j < n; j++) {
      const x = Math.fround(rng.gaussian());
      const move = x * PROBE_RELATIVE_MOVE * (0.5 + 0.5 * rng.uniform());
      rows.data[2 * p * n + j] = x;
      rows.data[(2 * p + 1) * n + j] = x + move;
    }
  }
  const out = await oracle.query(rows);
  const m = out.cols;
  for (let p = 0; p < PROBE_POINTS; p++) {
    for (let o = 0; o < m; o++) {
      if (out.data[2 * p * m + o] !== out.data[(2 * p + 1) * m + o]) return 'f64';
    }
  }
  return 'f32';
}

/**
 * The model's precision: as its backend states it, or probed ({@link probePrecision}) when
 * unknown; null when the budget cannot pay for the probe.
 */
export async function resolvePrecision(oracle: Oracle, rng: Rng): Promise<'f32' | 'f64' | null> {
  if (oracle.precision !== 'unknown') return oracle.precision;
  try {
    return await probePrecision(oracle, rng);
  } catch (e) {
    if (e instanceof BudgetExhaustedError) return null;
    throw e;
  }
}
