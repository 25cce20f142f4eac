import type { ResultsStore } from './resultsStore.js';

/** Where a grid run stands, after each run (for a progress line). */
export interface GridProgress<R> {
  /** Runs finished so far in this session. */
  readonly done: number;
  /** Runs this session has to do (the grid less what the store already holds). */
  readonly total: number;
  /** Runs found in the store and skipped. */
  readonly skipped: number;
  readonly last: R;
}

/**
 * Run every cell the store does not hold yet, appending each result as it ends. Stops between
 * runs when `signal` aborts (throwing its reason); what finished is already stored. Returns
 * how many runs this call made and how many it found done.
 */
export async function runMissing<C, R>(
  cells: readonly C[],
  keyOf: (c: C) => string,
  store: ResultsStore<R>,
  run: (c: C) => Promise<R>,
  options: { signal?: AbortSignal; onResult?: (p: GridProgress<R>) => void } = {},
): Promise<{ ran: number; skipped: number }> {
  const todo = cells.filter((c) => !store.has(keyOf(c)));
  const skipped = cells.length - todo.length;
  let done = 0;
  for (const cell of todo) {
    options.signal?.throwIfAborted();
    const result = await run(cell);
    await store.append(result);
    done += 1;
    options.onResult?.({ done, total: todo.length, skipped, last: result });
  }
  return { ran: done, skipped };
}
