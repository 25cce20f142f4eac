import { UserError } from '../errors.js';
import type { StopReason } from './result.js';
import { InterruptedError } from '../oracle/interruptibleOracle.js';
import { ResumeMismatchError } from '../oracle/journalOracle.js';

/** Failed queries in a row after which the model counts as failed (one bad answer is dropped). */
export const MAX_FAILURES_IN_A_ROW = 3;

/**
 * What a method does when a query fails. A model's answers are untrusted (an error answer, NaN
 * outputs, a dropped connection): the measurement that failed is dropped (its rows were paid
 * for and are counted) and the method goes on, unless failures repeat or the run was
 * interrupted; then it stops with what it has. Errors that are not the model's (a bug, a resume
 * that diverges from its journal), or a model that never answered at all, are rethrown.
 */
export class ModelFailures {
  total = 0;
  private inARow = 0;
  /** The error that ended the run, if failures did. */
  final: UserError | null = null;

  /** A measurement succeeded. */
  succeeded(): void {
    this.inARow = 0;
  }

  /** A measurement failed with `e`: true to go on without it, false to stop (see `final`). */
  failed(e: unknown, answeredBefore: boolean): boolean {
    if (!(e instanceof UserError) || e instanceof ResumeMismatchError || !answeredBefore) throw e;
    this.total++;
    this.inARow++;
    if (!(e instanceof InterruptedError) && this.inARow < MAX_FAILURES_IN_A_ROW) return true;
    this.final = e;
    return false;
  }
}

/** How a method's run is going: the fields every method's state shares. */
export interface RunOutcome {
  /** Measurements dropped because a query failed. */
  readonly failures: ModelFailures;
  /** Why the run stopped; null while it goes on. */
  stopReason: StopReason | null;
  /** With stopReason 'model-error': what the model did. */
  failure?: Error;
}

/**
 * One measurement of a run under the rule of {@link ModelFailures}: a failed model call drops
 * the measurement and the run goes on; repeated failures or an interruption end it as
 * `model-error`, keeping what was measured before.
 * @param answeredBefore - whether the model had answered any row when the failure came.
 */
export async function measureGuarded(
  run: RunOutcome,
  answeredBefore: () => boolean,
  measure: () => Promise<void>,
): Promise<void> {
  try {
    await measure();
    run.failures.succeeded();
  } catch (e) {
    if (!run.failures.failed(e, answeredBefore())) {
      run.failure = run.failures.final ?? undefined;
      run.stopReason = 'model-error';
    }
  }
}
