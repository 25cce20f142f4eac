import { join } from 'node:path';
import { compareSubspaces } from '../../src/linalg/principalAngles.js';
import type { Network } from '../../src/nets/network.js';
import { writeNetworkOnnx } from '../../src/nets/onnxExport.js';
import { randomNetwork } from '../../src/nets/randomNetwork.js';
import type { Oracle } from '../../src/oracle/oracle.js';
import { Rng } from '../../src/random/rng.js';
import { recoverSpan } from '../../src/recover/recoverSpan.js';
import { medianOutput, tempDir } from '../helpers.js';

/**
 * The float32 one-bit nets of the boundary method's noise tests: n inputs, k first-layer units,
 * one later ReLU layer, a sigmoid head, influence spread 12, written as a float32 ONNX file; by
 * default n = 200, k = 32, a later layer of 32.
 */
export async function float32SigmoidNet(
  n = 200,
  k = 32,
  width = 32,
): Promise<{ net: Network; path: string }> {
  const net = randomNetwork(
    {
      inputDim: n,
      firstWidth: k,
      hiddenWidths: [width],
      outputs: 1,
      activation: 'relu',
      bias: true,
      head: 'sigmoid',
      influenceSpread: 12,
    },
    new Rng(1),
  );
  const path = join(tempDir(), `f32-${n}x${k}.onnx`);
  await writeNetworkOnnx(path, net, { dtype: 'f32' });
  return { net, path };
}

/**
 * Recover `net`'s span through `model` (which serves it) from one bit, its score above the
 * median, with seed 1 and the defaults; `model` is disposed of after. The run, its largest
 * angle, and its queries over the floor k(n − k) + k.
 */
export async function recoverOneBit(net: Network, model: Oracle) {
  const [n, k] = [net.layers[0].weight.cols, net.layers[0].weight.rows];
  try {
    const access = { kind: 'threshold', index: 0, threshold: await medianOutput(model) } as const;
    const s = await recoverSpan(model, { access, seed: 1 });
    const angle = compareSubspaces(s.result.basis, net.layers[0].weight).maxAngle;
    return { s, angle, k, multiple: s.queries / (k * (n - k) + k) };
  } finally {
    await model.dispose();
  }
}
