import { join } from 'node:path';
import type { Network } from '../../src/nets/network.js';
import { writeNetworkOnnx } from '../../src/nets/onnxExport.js';
import { randomNetwork } from '../../src/nets/randomNetwork.js';
import { Rng } from '../../src/random/rng.js';
import { tempDir } from '../helpers.js';

/**
 * The float32 one-bit net of the boundary method's noise tests: n = 200, k = 32, one later
 * ReLU layer of 32, a sigmoid head, influence spread 12, written as a float32 ONNX file.
 */
export async function float32SigmoidNet(): Promise<{ net: Network; path: string }> {
  const net = randomNetwork(
    {
      inputDim: 200,
      firstWidth: 32,
      hiddenWidths: [32],
      outputs: 1,
      activation: 'relu',
      bias: true,
      head: 'sigmoid',
      influenceSpread: 12,
    },
    new Rng(1),
  );
  const path = join(tempDir(), 'f32.onnx');
  await writeNetworkOnnx(path, net, { dtype: 'f32' });
  return { net, path };
}
