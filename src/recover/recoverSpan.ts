import { UserError } from '../errors.js';
import { formatAccess, isRealValued, type AccessLevel } from '../oracle/access.js';
import type { Oracle } from '../oracle/oracle.js';
import { buildOracleStack } from '../oracle/stack.js';
import { Rng } from '../random/rng.js';
import { certify, type Certificate } from './certificate.js';
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
  /** Orthogonal moves of the completeness certificate (2 rows each); 0 skips it. */
  certifyMoves?: number;
}

/** Everything a recovery run produced, as plain data. */
export interface RecoverySummary {
  readonly result: RecoveryResult;
  readonly certificate: Certificate | null;
  /** The span is complete: the method finished (not the budget) and the certificate agrees. */
  readonly complete: boolean;
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
  let result: RecoveryResult;
  switch (method) {
    case 'gradient':
      result = await recoverByGradients(stack.oracle, rng.fork(), options.gradient, onProgress);
      break;
  }
  let certificate: Certificate | null = null;
  const moves = options.certifyMoves ?? 8;
  if (moves > 0 && result.stopReason !== 'budget' && result.stopReason !== 'model-error') {
    onProgress({ phase: 'certificate', done: 0, total: 1 });
    certificate = await certify(stack.oracle, result.basis, rng.fork(), {
      moves,
      pointScale: options.gradient?.pointScale,
    });
  }
  const complete =
    result.stopReason !== 'budget' &&
    result.stopReason !== 'model-error' &&
    certificate?.verdict === 'complete';
  return {
    result,
    certificate,
    complete,
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
