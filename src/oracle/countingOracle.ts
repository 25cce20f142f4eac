import type { Matrix } from '../linalg/matrix.js';
import type { Oracle, Precision } from './oracle.js';

/**
 * Counts every input row that reaches the wrapped model, once, at the moment it is sent
 * (a batch that the model then fails on still counts: the rows reached it).
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
    this.count += inputs.rows;
    this.batches += 1;
    const start = performance.now();
    try {
      return await this.inner.query(inputs);
    } finally {
      this.oracleSeconds += (performance.now() - start) / 1000;
    }
  }

  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}
