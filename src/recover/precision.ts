import type { Precision } from '../oracle/oracle.js';

/**
 * Unit roundoff of a model's arithmetic. An unknown black box is assumed float64: that is
 * what the JSON-lines protocol carries, and the kink check below widens its tolerance
 * automatically only through the measured output scale, so a float32 model behind `cmd:`
 * should be declared (`--precision f32`).
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
 * float32: 1e-3 is the smallest step that rises clearly above float32 rounding (SPEC.md,
 * "Finite differences on float32 models").
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
