import { UserError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';
import { ForwardingOracle } from './forwardingOracle.js';
import type { Oracle } from './oracle.js';

/** What an algorithm may see of each query. */
export type AccessLevel =
  | { readonly kind: 'scores' }
  | { readonly kind: 'score'; readonly index: number }
  | { readonly kind: 'label' }
  | { readonly kind: 'threshold'; readonly index: number; readonly threshold: number };

/** Parse `scores`, `score:I`, `label` or `threshold:I:T`. */
export function parseAccess(text: string): AccessLevel {
  const parts = text.split(':');
  const index = (s: string | undefined): number => {
    if (s === undefined || !/^\d+$/.test(s)) {
      throw new UserError(`--access ${text}: output index must be a non-negative integer`);
    }
    return Number(s);
  };
  switch (parts[0]) {
    case 'scores':
      if (parts.length === 1) return { kind: 'scores' };
      break;
    case 'score':
      if (parts.length === 2) return { kind: 'score', index: index(parts[1]) };
      break;
    case 'label':
      if (parts.length === 1) return { kind: 'label' };
      break;
    case 'threshold': {
      if (parts.length !== 3) break;
      const threshold = Number(parts[2]);
      if (parts[2].trim() === '' || !Number.isFinite(threshold)) {
        throw new UserError(`--access ${text}: threshold must be a finite number`);
      }
      return { kind: 'threshold', index: index(parts[1]), threshold };
    }
  }
  throw new UserError(`--access ${text}: expected scores, score:I, label or threshold:I:T`);
}

export function formatAccess(a: AccessLevel): string {
  switch (a.kind) {
    case 'scores':
      return 'scores';
    case 'score':
      return `score:${a.index}`;
    case 'label':
      return 'label';
    case 'threshold':
      return `threshold:${a.index}:${a.threshold}`;
  }
}

/** True when each query yields real numbers (differences make sense), false for labels/bits. */
export function isRealValued(a: AccessLevel): boolean {
  return a.kind === 'scores' || a.kind === 'score';
}

/**
 * Restricts what the wrapped model's outputs reveal: the algorithm only ever holds this
 * wrapper, so it cannot see more than its access level, whatever it does.
 * `label` returns the argmax index (first on ties); `threshold` returns 1 or 0.
 */
export class AccessOracle extends ForwardingOracle {
  // A true private field: not reachable from an algorithm at run time either (see the base).
  readonly #inner: Oracle;
  // Private and frozen too: an algorithm must not be able to widen its own access level.
  readonly #access: AccessLevel;

  constructor(inner: Oracle, access: AccessLevel) {
    super(inner);
    this.#inner = inner;
    this.#access = Object.freeze({ ...access });
    if (inner.outputDim !== undefined) assertOutputIndex(this.#access, inner.outputDim);
  }

  /** What each query reveals. */
  get access(): AccessLevel {
    return this.#access;
  }

  /** `m` for `scores` (unknown while the model's is), else 1: one value per query. */
  override get outputDim(): number | undefined {
    return this.#access.kind === 'scores' ? super.outputDim : 1;
  }

  async query(inputs: Matrix): Promise<Matrix> {
    const full = await this.#inner.query(inputs);
    // Read the private field, not the getter: a property defined on this object could shadow it.
    const a = this.#access;
    if (a.kind === 'scores') return full;
    const m = full.cols;
    assertOutputIndex(a, m);
    const out = new Float64Array(full.rows);
    for (let r = 0; r < full.rows; r++) {
      const y = full.data.subarray(r * m, (r + 1) * m);
      switch (a.kind) {
        case 'score':
          out[r] = y[a.index];
          break;
        case 'threshold':
          out[r] = y[a.index] > a.threshold ? 1 : 0;
          break;
        case 'label': {
          let best = 0;
          for (let j = 1; j < m; j++) if (y[j] > y[best]) best = j;
          out[r] = best;
          break;
        }
      }
    }
    return { rows: full.rows, cols: 1, data: out };
  }
}

/**
 * The output an access level reads must exist among the model's `m`; a label needs two
 * outputs at least (with one, every label is 0: a box answering its label as a number).
 */
function assertOutputIndex(a: AccessLevel, m: number): void {
  if ((a.kind === 'score' || a.kind === 'threshold') && a.index >= m) {
    throw new UserError(`--access ${formatAccess(a)}: the model has only ${m} outputs`);
  }
  if (a.kind === 'label' && m < 2) {
    throw new UserError(
      '--access label: the model has only 1 output, so every label would be 0 ' +
        '(a program that answers only its label should answer it one-hot)',
    );
  }
}
