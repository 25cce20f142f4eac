import { BudgetExhaustedError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';
import type { CountingOracle } from './countingOracle.js';
import type { Oracle, Precision } from './oracle.js';

/**
 * Refuses, before anything is sent, any batch that would take the row count past `budget`.
 * A refused batch sends nothing, so the budget is never exceeded, not even by part of a batch.
 */
export class BudgetOracle implements Oracle {
  constructor(
    private readonly counter: CountingOracle,
    readonly budget: number,
  ) {
    if (!Number.isInteger(budget) || budget < 0) {
      throw new RangeError(`budget must be a non-negative integer, got ${budget}`);
    }
  }

  get inputDim(): number {
    return this.counter.inputDim;
  }
  get outputDim(): number {
    return this.counter.outputDim;
  }
  get precision(): Precision {
    return this.counter.precision;
  }
  private reserved = 0;

  /** Rows that may still be sent, reserve included. */
  get remaining(): number {
    return Math.max(0, this.budget - this.counter.queries);
  }

  /**
   * Hold back `rows` of the budget (e.g. for a check that must follow the method); queries
   * are refused as if the budget were that much smaller until `reserve(0)`.
   */
  reserve(rows: number): void {
    this.reserved = rows;
  }

  async query(inputs: Matrix): Promise<Matrix> {
    if (inputs.rows > this.remaining - this.reserved) {
      throw new BudgetExhaustedError(
        this.budget - this.reserved,
        this.counter.queries,
        inputs.rows,
      );
    }
    return this.counter.query(inputs);
  }

  dispose(): Promise<void> {
    return this.counter.dispose();
  }
}
