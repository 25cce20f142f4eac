import { UserError } from '../errors.js';
import { formatAccess, isRealValued, type AccessLevel } from '../oracle/access.js';
import type { Oracle } from '../oracle/oracle.js';
import { buildOracleStack } from '../oracle/stack.js';
import { Rng } from '../random/rng.js';
import { certificateNotRun, certify, ROWS_PER_MOVE, type Certificate } from './certificate.js';
import { recoverByGradients, type GradientOptions } from './gradient.js';
import type { ProgressListener, RecoveryResult } from './result.js';

export type MethodName = 'auto' | 'gradient' | 'adaptive' | 'boundary';
export const METHODS: readonly MethodName[] = ['auto', 'gradient', 'adaptive', 'boundary'];

export interface RecoverSpanOptions {
  method?: MethodName;
  access?: AccessLevel;
  /** Maximum rows sent to the model, certificate included; null for none. */
  budget?: number | null;
  seed?: number;
  gradient?: GradientOptions;
  /** Moves of the completeness certificate (3 rows each, inside the budget); 0 skips it. */
  certifyMoves?: number;
}

/** Everything a recovery run produced, as plain data. */
export interface RecoverySummary {
  readonly result: RecoveryResult;
  readonly certificate: Certificate;
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
  const method = resolveMethod(options.method ?? 'auto', access);
  const stack = buildOracleStack(model, access, options.budget ?? null);
  const rng = new Rng(options.seed ?? 1);
  const moves = options.certifyMoves ?? 8;
  // Keep room for the certificate inside the budget (at most a quarter of it).
  const budget = stack.budget;
  if (budget !== null && moves > 0) {
    budget.reserve(
      ROWS_PER_MOVE * Math.min(moves, Math.floor(budget.budget / (4 * ROWS_PER_MOVE))),
    );
  }
  let result: RecoveryResult;
  switch (method) {
    case 'gradient':
      result = await recoverByGradients(stack.oracle, rng.fork(), options.gradient, onProgress);
      break;
  }
  budget?.reserve(0);
  let certificate: Certificate;
  let budgetSpent = result.stopReason === 'budget';
  if (moves === 0) certificate = certificateNotRun('not requested');
  else if (result.stopReason === 'budget') certificate = certificateNotRun('the budget was spent');
  else if (result.stopReason === 'model-error') certificate = certificateNotRun('the model failed');
  else {
    const affordable = budget === null ? moves : Math.floor(budget.remaining / ROWS_PER_MOVE);
    if (affordable < moves) budgetSpent = true;
    if (affordable === 0) certificate = certificateNotRun('the budget left no room for the check');
    else {
      onProgress({ phase: 'certificate', done: 0, total: 1 });
      certificate = await certify(stack.oracle, result.basis, rng.fork(), {
        moves: Math.min(moves, affordable),
        pointScale: options.gradient?.pointScale,
      });
    }
  }
  const complete =
    !budgetSpent && result.stopReason !== 'model-error' && certificate.verdict === 'complete';
  return {
    result,
    certificate,
    complete,
    budgetSpent,
    queries: stack.counter.queries,
    access,
    seconds: (performance.now() - start) / 1000,
    secondsInOracle: stack.counter.secondsInOracle,
  };
}

/** `auto` picks by access level; methods not built yet are refused with a clear message. */
export function resolveMethod(method: MethodName, access: AccessLevel): 'gradient' {
  const a = formatAccess(access);
  if (!isRealValued(access)) {
    throw new UserError(
      `--access ${a}: labels and thresholded bits need the boundary method, which is not implemented yet; use --access scores or score:I`,
    );
  }
  if (method === 'auto' || method === 'gradient') return 'gradient';
  throw new UserError(`--method ${method} is not implemented yet; use --method gradient`);
}
