/**
 * What the model and a person see of obfuscated inputs: label kept and output change (the
 * model, through the oracle), correlation and PSNR against the originals (a person).
 */
import { row, vstack, type Matrix } from '../linalg/matrix.js';
import type { Oracle } from '../oracle/oracle.js';
import { argmax, finiteMean, pearson, psnrDb } from './imageMetrics.js';

/** How one set of distorted inputs compares with the originals. */
export interface DistortionSummary {
  /** Share of inputs whose top-1 output is unchanged. */
  readonly labelKept: number;
  /** Mean pixel-wise Pearson correlation with the original (constant inputs left out). */
  readonly meanCorrelation: number | null;
  /** Mean PSNR in dB (inputs equal to their original, of infinite PSNR, left out). */
  readonly meanPsnr: number | null;
}

export interface ObfuscationEvaluation extends DistortionSummary {
  /** Largest absolute change of any output between an original and its obfuscation. */
  readonly maxOutputChange: number;
  /** The same measures for plain noise of the same norm. */
  readonly baseline: DistortionSummary;
}

/**
 * Query the model once on the originals, the obfuscated inputs and the baseline (one batch of
 * `3 · count` rows) and summarise.
 * @param peak - the PSNR's peak value: the box's `hi − lo`, or the data's range.
 */
export async function evaluateObfuscation(
  oracle: Oracle,
  originals: Matrix,
  obfuscated: Matrix,
  baseline: Matrix,
  peak: number,
): Promise<ObfuscationEvaluation> {
  const count = originals.rows;
  const outputs = await oracle.query(vstack([originals, obfuscated, baseline], originals.cols));
  const m = outputs.cols;
  const outputsOf = (part: number, i: number): Float64Array => row(outputs, part * count + i);
  let maxOutputChange = 0;
  for (let i = 0; i < count; i++) {
    const a = outputsOf(0, i);
    const b = outputsOf(1, i);
    for (let j = 0; j < m; j++) maxOutputChange = Math.max(maxOutputChange, Math.abs(b[j] - a[j]));
  }
  const summarise = (part: number, inputs: Matrix): DistortionSummary => {
    const rows = Array.from({ length: count }, (_, i) => i);
    const kept = rows.filter((i) => argmax(outputsOf(0, i)) === argmax(outputsOf(part, i)));
    return {
      labelKept: count === 0 ? 1 : kept.length / count,
      meanCorrelation: finiteMean(rows.map((i) => pearson(row(originals, i), row(inputs, i)))),
      meanPsnr: finiteMean(rows.map((i) => psnrDb(row(originals, i), row(inputs, i), peak))),
    };
  };
  return { ...summarise(1, obfuscated), maxOutputChange, baseline: summarise(2, baseline) };
}
