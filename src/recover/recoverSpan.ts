import { UserError } from '../errors.js';
import { zeros, type Matrix } from '../linalg/matrix.js';
import { isRealValued, type AccessLevel } from '../oracle/access.js';
import type { Oracle } from '../oracle/oracle.js';
import type { BudgetOracle } from '../oracle/budgetOracle.js';
import { buildOracleStack } from '../oracle/stack.js';
import { Rng } from '../random/rng.js';
import {
  certificateNotRun,
  certifyWithLeads,
  DEFAULT_CERTIFY_MOVES,
  ROWS_PER_MOVE,
  type Certificate,
} from './certificate.js';
import { MAX_INPUT_DIM } from './measure.js';
import type { ContinueFrom, MethodOptionValues } from './method.js';
import { AUTO_METHOD, resolveMethod } from './registry.js';
import type { ProgressListener, RecoveryResult } from './result.js';

export interface RecoverSpanOptions {
  /** A registered method name (registry.ts), or `auto` (default) to pick by access level. */
  method?: string;
  /** Options of the chosen method, by key (each method declares its own). */
  methodOptions?: MethodOptionValues;
  access?: AccessLevel;
  /** Maximum rows sent to the model, certificate included; null for none. */
  budget?: number | null;
  seed?: number;
  /** Moves of the completeness certificate (3 rows each, inside the budget); 0 skips it. */
  certifyMoves?: number;
}

/** Everything a recovery run produced, as plain data. */
export interface RecoverySummary {
  readonly result: RecoveryResult;
  readonly certificate: Certificate;
  /**
   * Times the method went on from an `incomplete` certificate's leads (at most
   * {@link MAX_CONTINUATIONS}); 0 when the first run was certified or could not go on.
   */
  readonly continuations: number;
  /** The span is complete: the method finished (not the budget) and the certificate agrees. */
  readonly complete: boolean;
  /** The budget ran out before the method and its full certificate were done (exit 3). */
  readonly budgetSpent: boolean;
  /** Exact count of rows that reached the model. */
  readonly queries: number;
  readonly access: AccessLevel;
  readonly seconds: number;
  readonly secondsInOracle: number;
}

/**
 * Recover the row span of the model's first layer: builds the oracle stack (counting, budget,
 * access level), runs the chosen method, then checks completeness with the certificate.
 * The caller keeps ownership of `model` (dispose it yourself).
 */
export async function recoverSpan(
  model: Oracle,
  options: RecoverSpanOptions = {},
  onProgress: ProgressListener = () => {},
): Promise<RecoverySummary> {
  const start = performance.now();
  const access = options.access ?? { kind: 'scores' };
  const method = resolveMethod(options.method ?? AUTO_METHOD, access);
  if (model.inputDim > MAX_INPUT_DIM) {
    throw new UserError(
      `the model takes ${model.inputDim} inputs; at most ${MAX_INPUT_DIM} fit in memory (one float64 vector alone would take ${Math.round((8 * model.inputDim) / 2 ** 20)} MiB)`,
    );
  }
  const stack = buildOracleStack(model, access, options.budget ?? null);
  const report: ProgressListener = (e) =>
    onProgress({
      ...e,
      queries: stack.counter.queries,
      secondsInOracle: stack.counter.secondsInOracle,
    });
  const rng = new Rng(options.seed ?? 1);
  const moves = options.certifyMoves ?? DEFAULT_CERTIFY_MOVES;
  // Each run of the method leaves the certificate's share of the budget for the check after it.
  const runMethod = async (from?: ContinueFrom): Promise<RecoveryResult> => {
    reserveForCertificate(stack.budget, moves);
    const r = await method.run(stack.oracle, rng.fork(), options.methodOptions ?? {}, report, from);
    stack.budget?.reserve(0);
    return r;
  };
  const check = (r: RecoveryResult) =>
    runCertificate(stack.oracle, stack.budget, r, access, moves, rng, report);
  let result = await runMethod();
  let checked = await check(result);
  let continuations = 0;
  // An incomplete verdict is a lead: go on from the points where the missing directions showed.
  while (
    method.continues &&
    continuations < MAX_CONTINUATIONS &&
    isLead(checked, result) &&
    (stack.budget === null || stack.budget.remaining > 2 * moves * ROWS_PER_MOVE)
  ) {
    continuations++;
    const { basis, pointScale, carry } = result;
    result = continued(result, await runMethod({ basis, leads: checked.leads, pointScale, carry }));
    checked = await check(result);
  }
  const certificate = withSuspects(checked.certificate, result.suspectDirections ?? 0);
  const budgetSpent = result.stopReason === 'budget' || checked.cut;
  const complete =
    !budgetSpent && result.stopReason !== 'model-error' && certificate.verdict === 'complete';
  return {
    result,
    certificate,
    continuations,
    complete,
    budgetSpent,
    queries: stack.counter.queries,
    access,
    seconds: (performance.now() - start) / 1000,
    secondsInOracle: stack.counter.secondsInOracle,
  };
}

/**
 * Continuations after an `incomplete` certificate. Each costs a certificate and a run of
 * candidates without news; two cover a first miss and a miss the first continuation left.
 */
export const MAX_CONTINUATIONS = 2;

/** The method saturated, the certificate says incomplete and shows where: worth going on. */
function isLead(
  checked: { certificate: Certificate; leads: Matrix },
  result: RecoveryResult,
): boolean {
  return (
    checked.certificate.verdict === 'incomplete' &&
    checked.leads.rows > 0 &&
    result.stopReason === 'saturated'
  );
}

/**
 * The result of a continued run: the new span (which contains the old), the counts of both
 * runs' spectra (the new run's spectrum covers only the directions it added).
 */
function continued(before: RecoveryResult, after: RecoveryResult): RecoveryResult {
  const values = Float64Array.from([...before.singularValues, ...after.singularValues]);
  values.sort((a, b) => b - a);
  return { ...after, singularValues: values };
}

/**
 * A complete certificate cannot vouch for a rank the method itself doubts (a span with an extra
 * direction is still complete): it becomes unsure, saying why.
 */
function withSuspects(certificate: Certificate, suspects: number): Certificate {
  if (suspects === 0 || certificate.verdict !== 'complete') return certificate;
  return {
    ...certificate,
    verdict: 'unsure',
    reason: `${certificate.reason}; but the last ${suspects} directions stand apart from the rest and may be noise (the rank may be up to ${suspects} lower)`,
  };
}

/** Keep room for the certificate inside the budget (at most a quarter of it). */
function reserveForCertificate(budget: BudgetOracle | null, moves: number): void {
  if (budget === null || moves === 0) return;
  const affordable = Math.floor(budget.budget / (4 * ROWS_PER_MOVE));
  budget.reserve(ROWS_PER_MOVE * Math.min(moves, affordable));
}

/**
 * The certificate after a method's run, judging what the access level reveals (decisions for
 * labels and bits); `cut` when the budget paid for fewer moves than asked.
 */
async function runCertificate(
  oracle: Oracle,
  budget: BudgetOracle | null,
  result: RecoveryResult,
  access: AccessLevel,
  moves: number,
  rng: Rng,
  onProgress: ProgressListener,
): Promise<{ certificate: Certificate; leads: Matrix; cut: boolean }> {
  const notRun = (reason: string, cut = false) => ({
    certificate: certificateNotRun(reason),
    leads: zeros(0, oracle.inputDim),
    cut,
  });
  if (moves === 0) return notRun('not requested');
  if (result.stopReason === 'model-error') return notRun('the model failed');
  // A method stopped by the budget leaves the certificate's reserve: the check of the partial
  // span still runs on it.
  const affordable = budget === null ? moves : Math.floor(budget.remaining / ROWS_PER_MOVE);
  if (affordable === 0) return notRun('the budget left no room for the check', true);
  onProgress({ phase: 'certificate', done: 0, total: 1 });
  try {
    const checked = await certifyWithLeads(oracle, result.basis, rng.fork(), {
      moves: Math.min(moves, affordable),
      pointScale: result.pointScale,
      decisions: !isRealValued(access),
      nearBoundary: result.nearBoundary,
    });
    return { ...checked, cut: affordable < moves };
  } catch (e) {
    // The span is measured and paid for: a model failing during the check costs the check only.
    if (!(e instanceof UserError)) throw e;
    return notRun(`the model failed during the check (${e.message})`);
  }
}
