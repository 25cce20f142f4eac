import { BudgetExhaustedError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';
import type { CountingOracle } from './countingOracle.js';
import { ForwardingOracle } from './forwardingOracle.js';

/**
 * Refuses, before anything is sent, any batch that would take the row count past `budget`.
 * A refused batch sends nothing, so the budget is never exceeded, not even by part of a batch.
 */
export class BudgetOracle extends ForwardingOracle {
  readonly #counter: CountingOracle;
  readonly #budget: number;
  #reserved = 0;

  constructor(counter: CountingOracle, budget: number) {
    super(counter);
    if (!Number.isInteger(budget) || budget < 0) {
      throw new RangeError(`budget must be a non-negative integer, got ${budget}`);
    }
    this.#counter = counter;
    this.#budget = budget;
  }

  /** Most rows the model may ever receive, setup rows included. */
  get budget(): number {
    return this.#budget;
  }

  /** Rows that may still be sent, reserve included. */
  get remaining(): number {
    return this.#remaining();
  }

  /**
   * Hold back `rows` of the budget (e.g. for a check that must follow the method); queries
   * are refused as if the budget were that much smaller until `reserve(0)`.
   */
  reserve(rows: number): void {
    this.#reserved = rows;
  }

  async query(inputs: Matrix): Promise<Matrix> {
    if (inputs.rows > this.#remaining() - this.#reserved) {
      throw new BudgetExhaustedError(
        this.#budget - this.#reserved,
        this.#counter.queries,
        inputs.rows,
      );
    }
    return this.#counter.query(inputs);
  }

  // Private, so that nothing defined on this object can change what the budget allows.
  #remaining(): number {
    return Math.max(0, this.#budget - this.#counter.queries);
  }
}
