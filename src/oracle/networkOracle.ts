import type { Matrix } from '../linalg/matrix.js';
import { forward, inputDim, outputDim, type Network } from '../nets/network.js';
import type { Oracle, Precision } from './oracle.js';

/** An in-process float64 reference network: exact ground truth for tests and experiments. */
export class NetworkOracle implements Oracle {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly precision: Precision = 'f64';

  constructor(readonly network: Network) {
    this.inputDim = inputDim(network);
    this.outputDim = outputDim(network);
  }

  async query(inputs: Matrix): Promise<Matrix> {
    return forward(this.network, inputs);
  }

  async dispose(): Promise<void> {}
}
