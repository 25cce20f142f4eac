import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { loadMnistFirstLayer, loadMnistHoldout, loadMnistNetwork } from '../../src/nets/mnist.js';
import { forward, type Network } from '../../src/nets/network.js';
import { networkToOnnx } from '../../src/nets/onnxExport.js';
import { reluMlpFromOnnx } from '../../src/nets/onnxImport.js';
import { randomNetwork } from '../../src/nets/randomNetwork.js';
import { OnnxOracle } from '../../src/oracle/onnxOracle.js';
import { MNIST_FILES } from '../../src/nets/mnist.js';
import { Rng } from '../../src/random/rng.js';

/**
 * The float32 model against its own weights evaluated in float64: inputs, products and sums
 * rounded to float32 (ε ≈ 6e-8) over 784 + 128 + 64 terms; measured 5.4e-6 on logits up to
 * 22, so 1e-4 absolute catches a wrong layer or a transposed weight (errors of O(1)).
 */
const MNIST_F32_VS_F64_ABS = 1e-4;

const net = (bias: boolean, hiddenWidths: number[]): Network =>
  randomNetwork(
    { inputDim: 9, firstWidth: 5, hiddenWidths, outputs: 3, activation: 'relu', bias },
    new Rng(3),
  );

describe('reluMlpFromOnnx', () => {
  for (const bias of [true, false]) {
    for (const widths of [[], [4], [6, 4]]) {
      it(`reads back the exported weights exactly (bias ${bias}, hidden ${JSON.stringify(widths)})`, () => {
        const original = net(bias, widths);
        const f64 = reluMlpFromOnnx(networkToOnnx(original, { dtype: 'f64' }));
        assert.deepEqual(f64, { layers: original.layers, activation: 'relu' });
        // float32 export: every weight rounded once to float32, and widened back exactly
        const f32 = reluMlpFromOnnx(networkToOnnx(original, { dtype: 'f32' }));
        f32.layers.forEach((layer, i) => {
          assert.deepEqual(layer.weight.data, original.layers[i].weight.data.map(Math.fround));
          assert.deepEqual(layer.bias, original.layers[i].bias?.map(Math.fround) ?? null);
        });
      });
    }
  }

  it('refuses what is not a plain ReLU MLP, naming the model and the reason', () => {
    const refused = (pattern: RegExp) => (e: unknown) =>
      e instanceof UserError &&
      /^m\.onnx: not a plain ReLU MLP \(/.test(e.message) &&
      pattern.test(e.message);
    const tanh = { ...net(true, [4]), activation: 'tanh' as const };
    assert.throws(
      () => reluMlpFromOnnx(networkToOnnx(tanh, { dtype: 'f64' }), 'm.onnx'),
      refused(/node 1 is Tanh/),
    );
    const softmax = { ...net(true, [4]), head: 'softmax' as const };
    assert.throws(
      () => reluMlpFromOnnx(networkToOnnx(softmax, { dtype: 'f64' }), 'm.onnx'),
      refused(/is Softmax/),
    );
    const reshaped = networkToOnnx(net(true, []), { dtype: 'f64', inputShape: ['batch', 3, 3] });
    assert.throws(() => reluMlpFromOnnx(reshaped, 'm.onnx'), refused(/node 0 is Reshape/));
  });
});

describe('loadMnistNetwork', () => {
  it('holds the bundled first layer exactly and answers as the float32 model does', async () => {
    const mnist = await loadMnistNetwork();
    assert.deepEqual(
      mnist.layers.map((l) => [l.weight.rows, l.weight.cols]),
      [
        [128, 784],
        [64, 128],
        [10, 64],
      ],
    );
    assert.deepEqual(mnist.layers[0].weight, await loadMnistFirstLayer());
    const { digits } = await loadMnistHoldout();
    const model = await OnnxOracle.create(MNIST_FILES.model);
    try {
      const f32 = await model.query(digits);
      const f64 = forward(mnist, digits);
      const worst = f64.data.reduce((m, v, i) => Math.max(m, Math.abs(v - f32.data[i])), 0);
      assert.ok(worst <= MNIST_F32_VS_F64_ABS, `largest logit difference ${worst}`);
    } finally {
      await model.dispose();
    }
  });
});
