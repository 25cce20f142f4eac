import type { Matrix } from '../linalg/matrix.js';
import { ForwardingOracle } from './forwardingOracle.js';
import type { Oracle } from './oracle.js';
import { checkQueryInput } from './queryInput.js';

/**
 * Counts every input row that reaches the wrapped model, once. A batch that the model fails
 * on still counts as far as it was delivered (the rows reached the model).
 *
 * It sits directly on the backend, so it is also where query rows are checked
 * ({@link checkQueryInput}): a malformed batch is refused before it is sent or counted.
 */
export class CountingOracle extends ForwardingOracle {
  readonly #model: Oracle;
  #count: number;
  #calls = 0;
  #oracleSeconds = 0;

  constructor(model: Oracle) {
    super(model);
    this.#model = model;
    this.#count = model.setupQueries ?? 0;
  }

  /** Rows sent to the model so far. */
  get queries(): number {
    return this.#count;
  }
  /** Calls made to the model so far. */
  get calls(): number {
    return this.#calls;
  }
  /** Wall-clock seconds spent inside the model (for the overhead measure). */
  get secondsInOracle(): number {
    return this.#oracleSeconds;
  }

  async query(inputs: Matrix): Promise<Matrix> {
    checkQueryInput(inputs, this.#model.inputDim);
    if (inputs.rows === 0) return this.#model.query(inputs);
    this.#calls += 1;
    const sentBefore = this.#model.rowsSent;
    const start = performance.now();
    try {
      const out = await this.#model.query(inputs);
      this.#count += inputs.rows;
      return out;
    } catch (e) {
      // A failed batch counts what reached the model: all of it, unless the backend can say.
      const sentAfter = this.#model.rowsSent;
      this.#count +=
        sentBefore !== undefined && sentAfter !== undefined ? sentAfter - sentBefore : inputs.rows;
      throw e;
    } finally {
      this.#oracleSeconds += (performance.now() - start) / 1000;
    }
  }
}
