import { UserError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';
import { ModelWrapper } from './modelWrapper.js';
import type { Oracle } from './oracle.js';

/** Why queries stopped: the user asked the run to stop (Ctrl-C, a kill, a closed terminal). */
export class InterruptedError extends UserError {
  constructor(
    readonly signalName: string,
    exitCode: number,
  ) {
    super(`interrupted by ${signalName}`, exitCode);
    this.name = 'InterruptedError';
  }
}

/**
 * A model that stops answering once `signal` aborts: the query in flight and every later one
 * reject with the signal's reason (an {@link InterruptedError}), so a method stops as it does
 * when a model fails, and its partial results can still be written. The abandoned request's
 * rows still count (the counter above reads `rowsSent`, or counts the whole batch).
 */
export class InterruptibleOracle extends ModelWrapper {
  readonly #signal: AbortSignal;

  constructor(model: Oracle, signal: AbortSignal) {
    super(model);
    this.#signal = signal;
  }

  query(inputs: Matrix): Promise<Matrix> {
    const signal = this.#signal;
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    const answer = this.model.query(inputs);
    return new Promise<Matrix>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      answer.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}
