import { BudgetExhaustedError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';
import type { Oracle } from '../oracle/oracle.js';

/** The answer to a batch of measurement units, or why there is none. */
export type Measured =
  | { readonly kind: 'answered'; readonly units: number; readonly outputs: Matrix }
  | { readonly kind: 'budget' };

/**
 * Query `units` measurement units of `rowsPerUnit` rows each (a point's stencil, a
 * certificate's move), built by `build(count)`; when the budget cannot pay for all of them,
 * spend what is left on as many whole units as it can pay for (a refused batch sends nothing,
 * so this costs no query). Other errors propagate.
 */
export async function measureWithinBudget(
  oracle: Oracle,
  units: number,
  rowsPerUnit: number,
  build: (count: number) => Matrix,
): Promise<Measured> {
  let count = units;
  for (;;) {
    try {
      return { kind: 'answered', units: count, outputs: await oracle.query(build(count)) };
    } catch (e) {
      if (!(e instanceof BudgetExhaustedError)) throw e;
      const affordable = Math.floor((e.budget - e.used) / rowsPerUnit);
      if (affordable < 1 || affordable >= count) return { kind: 'budget' };
      count = affordable;
    }
  }
}

/** Rows per oracle call of a method: large enough that batched backends amortise their calls. */
export const METHOD_ROWS_PER_CALL = 1024;

/**
 * Bytes a method's query buffer may take: a call's rows are capped so that `rows × n` float64
 * values fit (64 MiB: 1024 rows up to n = 8192, 273 rows at n = 30 000 for a 3×100×100 image).
 */
export const QUERY_BUFFER_BYTES = 64 * 2 ** 20;

/** Rows per call for inputs of length n: METHOD_ROWS_PER_CALL, fewer for long inputs. */
export function rowsPerCallFor(n: number, wanted = METHOD_ROWS_PER_CALL): number {
  return Math.max(1, Math.min(wanted, Math.floor(QUERY_BUFFER_BYTES / (8 * n))));
}

/**
 * Longest input a run accepts: a handful of length-n float64 vectors (a query row, a gradient
 * per output, a basis row per direction found) must fit in memory several times over. 2^24
 * inputs (a 4096×4096 image) make one vector 128 MiB.
 */
export const MAX_INPUT_DIM = 2 ** 24;
