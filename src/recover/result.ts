import type { Matrix } from '../linalg/matrix.js';
import type { NearBoundary } from './certificate.js';

/** Why a recovery stopped. */
export type StopReason =
  | 'saturated' // enough extra measurements brought no new direction
  | 'full-rank' // the span is all of R^n
  | 'points' // the requested number of points was measured
  | 'budget' // the query budget could not pay for another point
  | 'model-error'; // the model failed mid-run; the result holds what was measured before

/** Method-specific figures (points measured, step used, …), written into result.json. */
export type MethodDetails = { readonly [key: string]: number | string | boolean };

/** What a recovery method returns: pure data, written out by the CLI. */
export interface RecoveryResult<D extends MethodDetails = MethodDetails> {
  /** The registry name of the method that produced it. */
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
  /**
   * Standard deviation of the Gaussian points the method queried around: the certificate
   * checks the span where the method looked.
   */
  readonly pointScale: number;
  /**
   * What the method needs to go on from this result ({@link ContinueFrom}): opaque to
   * everyone else, never written out.
   */
  readonly carry?: unknown;
  /**
   * How many of the directions found may be noise (the data cannot tell): the true rank may be
   * that much lower. A certificate cannot show this (a span with an extra direction is still
   * complete), so a run with suspects is reported `unsure`. 0 or absent when the rank is clear.
   */
  readonly suspectDirections?: number;
  /**
   * Points next to the decision boundary for the certificate of a decision-only run, and the
   * length of its moves from them (certificate.ts); absent for real-valued methods.
   */
  readonly nearBoundary?: NearBoundary;
  readonly details: D;
}

/** A progress report from an algorithm (the CLI draws it; library code never prints). */
export interface ProgressEvent {
  readonly phase: string;
  readonly done: number;
  readonly total: number;
  readonly message?: string;
  /** Rows that have reached the model so far (filled in by recoverSpan). */
  readonly queries?: number;
  /** Seconds spent inside the model so far (filled in by recoverSpan). */
  readonly secondsInOracle?: number;
}
export type ProgressListener = (event: ProgressEvent) => void;
