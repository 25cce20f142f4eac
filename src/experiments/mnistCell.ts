import type { Box } from '../attack/box.js';
import type { DistortionSummary } from '../attack/evaluateObfuscation.js';
import { runObfuscation } from '../attack/obfuscationRun.js';
import { firstRows, type Matrix } from '../linalg/matrix.js';
import { principalAngles } from '../linalg/principalAngles.js';
import { parseAccess } from '../oracle/access.js';
import type { Oracle } from '../oracle/oracle.js';
import { buildOracleStack } from '../oracle/stack.js';
import { Rng } from '../random/rng.js';
import type { Verdict } from '../recover/certificate.js';
import { recoverSpan } from '../recover/recoverSpan.js';
import type { ProgressListener } from '../recover/result.js';
import { TRUE_BASIS, type MnistCell } from './mnistGrid.js';

/** What a recovery measured against the model's true first layer. */
export interface MnistRecoveryFigures {
  readonly rank: number;
  /** Principal angles to the true span, ascending, radians (min(rank, 128) of them). */
  readonly anglesRad: number[];
  /** The largest of them (π/2 when nothing was found). */
  readonly maxAngleRad: number;
  readonly medianAngleRad: number;
  readonly queries: number;
  /** queries ÷ ((k(n − k) + k) / m), m the numbers each query reveals (10 for scores, else 1). */
  readonly queriesOverFloor: number;
  /** The method finished (not the budget) and the certificate found the span complete. */
  readonly complete: boolean;
  readonly budgetSpent: boolean;
  readonly certificate: Verdict;
  readonly stopReason: string;
  /** Last directions of the basis the method itself doubts (left out of the obfuscations). */
  readonly suspectDirections: number;
  readonly continuations: number;
  readonly seconds: number;
  readonly secondsInOracle: number;
}

/** The two obfuscations of every run: unbounded, and pixels kept in [0, 1]. */
export const OBFUSCATION_VARIANTS = ['unbounded', 'box'] as const;
export type ObfuscationVariant = (typeof OBFUSCATION_VARIANTS)[number];
const PIXEL_BOX: Box = { lo: 0, hi: 1 };

/** One obfuscation of the digits at one scale: what the model and a person see of it. */
export interface MnistObfuscationFigure extends DistortionSummary {
  readonly variant: ObfuscationVariant;
  readonly scale: number;
  /** Largest absolute change of any logit between a digit and its obfuscation. */
  readonly maxOutputChange: number;
  /** Plain Gaussian noise of the same norm (clipped into the box for `box`). */
  readonly baseline: DistortionSummary;
  /** Digits whose box constraints could not be met within tolerance. */
  readonly unmet: number;
}

/** One run's results: the cell, its recovery (null for the true basis) and its obfuscations. */
export interface MnistCellResult extends MnistCell {
  readonly recovery: MnistRecoveryFigures | null;
  /** Directions the obfuscations kept (the recovered rank less the suspect ones; 128 when true). */
  readonly basisRank: number;
  readonly obfuscation: MnistObfuscationFigure[];
}

/** The model and the data every cell of the experiment shares. */
export interface MnistContext {
  /** The bundled model (float64); each recovery builds its own counting stack on it. */
  readonly model: Oracle;
  /** The true first layer's rows, orthonormalized (128 × 784). */
  readonly trueBasis: Matrix;
  /** The held-out digits, at least as many as any cell obfuscates. */
  readonly digits: Matrix;
  /** The recoveries' progress (a long one takes minutes). */
  readonly onProgress?: ProgressListener;
}

/** Recover (unless the source is the true basis), then obfuscate at every scale and variant. */
export async function runMnistCell(c: MnistCell, ctx: MnistContext): Promise<MnistCellResult> {
  let basis = ctx.trueBasis;
  let recovery: MnistRecoveryFigures | null = null;
  if (c.source !== TRUE_BASIS) {
    const access = parseAccess(c.source);
    const options = { access, budget: c.budget, seed: c.seed };
    const summary = await recoverSpan(ctx.model, options, ctx.onProgress);
    const found = summary.result.basis;
    const angles = Array.from(principalAngles(found, ctx.trueBasis));
    const suspects = summary.result.suspectDirections ?? 0;
    const k = ctx.trueBasis.rows;
    const n = found.cols;
    const revealed = access.kind === 'scores' ? (ctx.model.outputDim ?? 1) : 1;
    recovery = {
      rank: summary.result.rank,
      anglesRad: angles,
      maxAngleRad: angles.length === 0 ? Math.PI / 2 : angles[angles.length - 1],
      medianAngleRad: angles.length === 0 ? Math.PI / 2 : angles[(angles.length - 1) >> 1],
      queries: summary.queries,
      queriesOverFloor: (summary.queries * revealed) / (k * (n - k) + k),
      complete: summary.complete,
      budgetSpent: summary.budgetSpent,
      certificate: summary.certificate.verdict,
      stopReason: summary.result.stopReason,
      suspectDirections: suspects,
      continuations: summary.continuations,
      seconds: summary.seconds,
      secondsInOracle: summary.secondsInOracle,
    };
    // As the demo does: directions the method doubts would only take room from the noise.
    basis = firstRows(found, found.rows - suspects);
  }
  const digits = firstRows(ctx.digits, c.digits);
  const obfuscation = await obfuscateAtScales(ctx.model, basis, digits, c, new Rng(c.seed).fork());
  return { ...c, recovery, basisRank: basis.rows, obfuscation };
}

/** Every variant at every scale, the noise drawn from one stream in that order. */
async function obfuscateAtScales(
  model: Oracle,
  basis: Matrix,
  digits: Matrix,
  c: MnistCell,
  rng: Rng,
): Promise<MnistObfuscationFigure[]> {
  // The obfuscations' own stack: their queries are not the recovery's.
  const { oracle } = buildOracleStack(model, { kind: 'scores' }, null);
  const out: MnistObfuscationFigure[] = [];
  for (const variant of OBFUSCATION_VARIANTS) {
    for (const scale of variant === 'box' ? c.boxScales : c.scales) {
      const box = variant === 'box' ? PIXEL_BOX : null;
      const run = await runObfuscation(oracle, basis, digits, { scale, box }, rng);
      const e = run.evaluation;
      out.push({
        variant,
        scale,
        labelKept: e.labelKept,
        meanCorrelation: e.meanCorrelation,
        meanPsnr: e.meanPsnr,
        maxOutputChange: e.maxOutputChange,
        baseline: e.baseline,
        unmet: run.obfuscated.met.filter((ok) => !ok).length,
      });
    }
  }
  return out;
}
