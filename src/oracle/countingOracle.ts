import type { Matrix } from '../linalg/matrix.js';
import type { Oracle, Precision } from './oracle.js';

/**
 * Counts every input row that reaches the wrapped model, once. A batch that the model fails
 * on still counts as far as it was delivered (the rows reached the model).
 */
export class CountingOracle implements Oracle {
  private count: number;
  private batches = 0;
  private oracleSeconds = 0;

  constructor(private readonly inner: Oracle) {
    this.count = inner.setupQueries ?? 0;
  }

  get inputDim(): number {
    return this.inner.inputDim;
  }
  get outputDim(): number {
    return this.inner.outputDim;
  }
  get precision(): Precision {
    return this.inner.precision;
  }
  /** Rows sent to the model so far. */
  get queries(): number {
    return this.count;
  }
  /** Calls made to the model so far. */
  get calls(): number {
    return this.batches;
  }
  /** Wall-clock seconds spent inside the model (for the overhead measure). */
  get secondsInOracle(): number {
    return this.oracleSeconds;
  }

  async query(inputs: Matrix): Promise<Matrix> {
    if (inputs.rows === 0) return this.inner.query(inputs);
    this.batches += 1;
    const sentBefore = this.inner.rowsSent;
    const start = performance.now();
    try {
      const out = await this.inner.query(inputs);
      this.count += inputs.rows;
      return out;
    } catch (e) {
      // A failed batch counts what reached the model: all of it, unless the backend can say.
      const sentAfter = this.inner.rowsSent;
      this.count +=
        sentBefore !== undefined && sentAfter !== undefined ? sentAfter - sentBefore : inputs.rows;
      throw e;
    } finally {
      this.oracleSeconds += (performance.now() - start) / 1000;
    }
  }

  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}
