/**
 * Everything the HTML report shows, as plain data: the fields of `result.json` and of
 * `obfuscation.json` as written, plus what only a demo with ground truth can add (angles to the
 * true first layer, the truncated-basis experiment). Optional parts leave their section out.
 */
import type { Certificate } from '../recover/certificate.js';

/** `result.json`'s certificate: the three fields the report shows, the rest if present. */
export type ReportCertificate = Pick<Certificate, 'verdict' | 'maxChange' | 'queries'> &
  Partial<Omit<Certificate, 'verdict' | 'maxChange' | 'queries'>>;

/** The fields of `result.json` the report reads (extra fields are ignored). */
export interface RecoveryFigures {
  readonly rank: number;
  readonly inputDim: number;
  /** Every input row that reached the model. */
  readonly queries: number;
  readonly method: string;
  /** The access level as `--access` spells it. */
  readonly access: string;
  readonly complete: boolean;
  /** Singular values the rank was read from, descending. */
  readonly singularValues: readonly number[];
  readonly certificate: ReportCertificate;
  /** Wall-clock seconds of recovery and certificate. */
  readonly seconds: number;
}

/** Quality of one kind of perturbed input (the obfuscated ones, or plain noise of equal norm). */
export interface ObfuscationQuality {
  /** Share of inputs whose top-1 output is unchanged, 0..1. */
  readonly labelKept: number;
  /** Mean Pearson correlation between an input and its perturbed version. */
  readonly meanCorrelation: number | null;
  /** Mean peak signal-to-noise ratio of the perturbed inputs, dB (null when undefined). */
  readonly meanPsnr: number | null;
}

/** The `obfuscation.json` object. */
export interface ObfuscationSummary extends ObfuscationQuality {
  readonly count: number;
  /** Noise size (`--scale`). */
  readonly scale: number;
  /** `[lo, hi]` every entry was kept inside (`--box`), or null when unbounded. */
  readonly box: readonly [number, number] | null;
  /** Largest change of any output between an input and its obfuscated version. */
  readonly maxOutputChange: number;
  /** Plain noise of the same norm, for comparison. */
  readonly baseline: ObfuscationQuality;
}

/** One obfuscation run shown in the report. */
export interface ObfuscationSection {
  /** Short name of the run, e.g. "unbounded" or "pixels in [0, 1]". */
  readonly name: string;
  readonly summary: ObfuscationSummary;
  /** `grid.png` (original | obfuscated | plain noise), when the inputs are images. */
  readonly gridPng?: Uint8Array;
}

/** One point of the truncated-basis experiment. */
export interface BasisFractionPoint {
  /** Share of the recovered basis directions kept when obfuscating, 0..1. */
  readonly basisFraction: number;
  /** Share of inputs whose label survived the obfuscation, 0..1. */
  readonly labelKept: number;
}

export interface ReportData {
  readonly title: string;
  readonly recovery: RecoveryFigures;
  /** Principal angles between the recovered span and the true first layer, radians. */
  readonly trueAnglesRad?: readonly number[];
  /** The query floor k(n − k) + k the recovery is compared with. */
  readonly queryFloor?: number;
  readonly obfuscations?: readonly ObfuscationSection[];
  /** Label kept against the share of basis directions kept: why a truncated basis fails. */
  readonly labelKeptByBasisFraction?: readonly BasisFractionPoint[];
}
