import { InterruptedError } from '../oracle/interruptibleOracle.js';

/**
 * Stopping on a signal. A command that can stop cleanly (write partial results, like an
 * exhausted budget) runs inside {@link stoppable}; the signal handler asks it to stop with
 * {@link requestStop}. Other commands are simply ended by the handler.
 */
const controller = new AbortController();
let stoppableRuns = 0;

/** Run `body` with a signal that aborts when the user interrupts the process. */
export async function stoppable<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  stoppableRuns += 1;
  try {
    return await body(controller.signal);
  } finally {
    stoppableRuns -= 1;
  }
}

/**
 * Ask the running command to stop because of `signalName`; false when nothing can stop
 * cleanly (no stoppable run, or a stop was already asked for), and the caller should exit.
 */
export function requestStop(signalName: string, exitCode: number): boolean {
  if (stoppableRuns === 0 || controller.signal.aborted) return false;
  controller.abort(new InterruptedError(signalName, exitCode));
  return true;
}
