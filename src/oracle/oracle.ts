import type { Matrix } from '../linalg/matrix.js';

/** Numeric precision a model computes in, as far as its wrapper knows. */
export type Precision = 'f32' | 'f64' | 'unknown';

/**
 * A black-box model: batched rows in, batched outputs out. Backends (ONNX, subprocess, HTTP,
 * in-process reference networks) implement this; wrappers (budget, counter, access level)
 * implement it too and wrap another Oracle, so algorithms only ever see this interface.
 */
export interface Oracle {
  /** Length `n` of every query row. */
  readonly inputDim: number;
  /**
   * Length `m` of every output row as this oracle returns it, or `undefined` while it is not
   * known: a backend that learns `m` from its first answer (`cmd:`) knows it only after its
   * first non-empty query, since probing earlier would spend a query nobody asked for.
   */
  readonly outputDim: number | undefined;
  /** Precision of the model's arithmetic, used to choose finite-difference steps. */
  readonly precision: Precision;
  /**
   * Rows a backend had to evaluate while opening the model (e.g. one row to learn the output
   * size when the model's metadata does not give it). The counter adds them, so the query
   * count stays exact; 0 or absent for most backends.
   */
  readonly setupQueries?: number;
  /**
   * Rows delivered to the model so far, for backends that split a batch into several
   * requests: when a batch fails halfway, the counter counts only the rows that went out.
   * Absent for backends that send a batch whole.
   */
  readonly rowsSent?: number;
  /**
   * Evaluate the model on every row of `inputs` (`B × inputDim`, float64). Returns `B × m`
   * float64 outputs. Throws UserError when the model misbehaves (wrong shapes, NaN, crashes).
   *
   * Backends trust `inputs`: the stack's counter checks them ({@link checkQueryInput}) before
   * any backend sees them. Code that queries a backend directly must check them itself.
   */
  query(inputs: Matrix): Promise<Matrix>;
  /** Release processes, sessions and sockets. Safe to call twice. */
  dispose(): Promise<void>;
}
