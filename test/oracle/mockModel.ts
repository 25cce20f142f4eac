import { UserError } from '../../src/errors.js';
import { fromRows, type Matrix } from '../../src/linalg/matrix.js';
import type { Oracle } from '../../src/oracle/oracle.js';

/**
 * A mock model with 3 inputs and 4 outputs, fixed functions of the input: `[a + b, b - c, a·c,
 * -a]`, or, with `secret`, that value in place of output 1 (a marker that must never leak past
 * an access level that hides output 1). It records every row it sees.
 */
export class MockModel implements Oracle {
  readonly inputDim = 3;
  readonly outputDim = 4;
  readonly precision = 'f64' as const;
  readonly seen: Float64Array[] = [];

  constructor(private readonly secret?: number) {}

  get rowsSeen(): number {
    return this.seen.length;
  }

  async query(inputs: Matrix): Promise<Matrix> {
    const out = new Float64Array(inputs.rows * 4);
    for (let r = 0; r < inputs.rows; r++) {
      const row = inputs.data.slice(r * 3, r * 3 + 3);
      this.seen.push(row);
      const [a, b, c] = row;
      out.set([a + b, this.secret ?? b - c, a * c, -a], r * 4);
    }
    return { rows: inputs.rows, cols: 4, data: out };
  }

  async dispose(): Promise<void> {}
}

/**
 * A backend that, like a `cmd:` program dying mid-batch, delivers the first `delivered` rows of
 * a batch (reported through `rowsSent`) and then fails; `setupQueries` as given.
 */
export function dyingModel(delivered: number, setupQueries?: number): Oracle {
  let sent = 0;
  return {
    inputDim: 3,
    outputDim: 4,
    precision: 'unknown',
    setupQueries,
    get rowsSent() {
      return sent;
    },
    query: async (x) => {
      sent += Math.min(x.rows, delivered);
      throw new UserError('model died');
    },
    dispose: async () => {},
  };
}

/** Three rows for the mock models. */
export const threeRows = fromRows([
  [1, 2, 3],
  [4, 5, 6],
  [7, 8, 9],
]);
