/**
 * One obfuscation run end to end, as `spanrec obfuscate` and `spanrec demo` both do it:
 * obfuscate, draw the plain-noise baseline, ask the model about all three, and summarise in
 * the `obfuscation.json` shape.
 */
import type { Matrix } from '../linalg/matrix.js';
import type { Oracle } from '../oracle/oracle.js';
import type { Rng } from '../random/rng.js';
import type { Box } from './box.js';
import {
  evaluateObfuscation,
  type DistortionSummary,
  type ObfuscationEvaluation,
} from './evaluateObfuscation.js';
import { obfuscate, plainNoise, type Obfuscated, type ObfuscationOptions } from './obfuscate.js';

export interface ObfuscationRun {
  readonly obfuscated: Obfuscated;
  /** Plain noise of the same norm as each obfuscation (clipped into the box, if any). */
  readonly baseline: Matrix;
  readonly evaluation: ObfuscationEvaluation;
  /** The value range images are shown in and PSNR is measured against: the box, or the data's. */
  readonly range: Box;
}

/** The `obfuscation.json` object (docs/REFERENCE.md, "obfuscate"). */
export interface ObfuscationJson extends DistortionSummary {
  readonly count: number;
  readonly scale: number;
  readonly box: [number, number] | null;
  readonly maxOutputChange: number;
  readonly baseline: DistortionSummary;
  readonly psnrPeak: number;
  readonly maxSpanResidual: number;
  /** Inputs (row indices) whose box constraint could not be met within tolerance. */
  readonly unmet: number[];
  readonly queries: number;
}

/**
 * Obfuscate `inputs` under the orthonormal basis `q`, draw the baseline, and query `oracle`
 * once on originals, obfuscations and baseline (3 × count rows).
 */
export async function runObfuscation(
  oracle: Oracle,
  q: Matrix,
  inputs: Matrix,
  options: ObfuscationOptions,
  rng: Rng,
): Promise<ObfuscationRun> {
  const obfuscated = obfuscate(q, inputs, options, rng);
  const baseline = plainNoise(inputs, obfuscated.inputs, options.box, rng);
  const range = options.box ?? dataRange(inputs);
  const evaluation = await evaluateObfuscation(
    oracle,
    inputs,
    obfuscated.inputs,
    baseline,
    range.hi - range.lo,
  );
  return { obfuscated, baseline, evaluation, range };
}

/** The run as `obfuscation.json` writes it; `queries` are the rows the run sent. */
export function obfuscationJson(
  run: ObfuscationRun,
  options: ObfuscationOptions,
  queries: number,
): ObfuscationJson {
  const { obfuscated: o, evaluation: e, range } = run;
  return {
    count: o.inputs.rows,
    scale: options.scale,
    box: options.box === null ? null : [options.box.lo, options.box.hi],
    labelKept: e.labelKept,
    maxOutputChange: e.maxOutputChange,
    meanCorrelation: e.meanCorrelation,
    meanPsnr: e.meanPsnr,
    baseline: e.baseline,
    psnrPeak: range.hi - range.lo,
    maxSpanResidual: o.spanResidual.reduce((a, b) => Math.max(a, b), 0),
    unmet: o.met.flatMap((ok, i) => (ok ? [] : [i])),
    queries,
  };
}

/** The originals' smallest and largest value: the PSNR peak and grid range when unbounded. */
export function dataRange(inputs: Matrix): Box {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of inputs.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  // Constant data has no range: 1 keeps PSNR and the grid defined.
  return hi > lo ? { lo, hi } : { lo, hi: lo + 1 };
}
