import type { Matrix } from '../linalg/matrix.js';

/** Why a recovery stopped. */
export type StopReason =
  | 'saturated' // enough extra measurements brought no new direction
  | 'full-rank' // the span is all of R^n
  | 'points' // the requested number of points was measured
  | 'budget' // the query budget could not pay for another point
  | 'model-error'; // the model failed mid-run; the result holds what was measured before

/** What a recovery method returns: pure data, written out by the CLI. */
export interface RecoveryResult {
  readonly method: string;
  /** `rank × n`, orthonormal rows spanning the recovered subspace. */
  readonly basis: Matrix;
  readonly rank: number;
  /** Singular values of the stacked measurements, descending. */
  readonly singularValues: Float64Array;
  /** s[rank-1] / s[rank]: how clearly the spectrum separates signal from noise. */
  readonly rankGapRatio: number;
  readonly stopReason: StopReason;
  /** With stopReason 'model-error': what the model did (the result is partial). */
  readonly failure?: Error;
  /** Method-specific counts (points measured, points rejected, step used, …). */
  readonly details: Readonly<Record<string, number | string | boolean>>;
}

/** A progress report from an algorithm (the CLI draws it; library code never prints). */
export interface ProgressEvent {
  readonly phase: string;
  readonly done: number;
  readonly total: number;
  readonly message?: string;
}
export type ProgressListener = (event: ProgressEvent) => void;
