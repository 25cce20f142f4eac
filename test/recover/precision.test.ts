import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Matrix } from '../../src/linalg/matrix.js';
import { NetworkOracle } from '../../src/oracle/networkOracle.js';
import { randomNetwork } from '../../src/nets/randomNetwork.js';
import { probePrecision } from '../../src/recover/precision.js';
import { Rng } from '../../src/random/rng.js';

test('the precision probe tells float32 from float64 inputs at every size and seed tried', async () => {
  for (const n of [20, 784, 1536]) {
    const net = new NetworkOracle(
      randomNetwork(
        {
          inputDim: n,
          firstWidth: 16,
          hiddenWidths: [8],
          outputs: 1,
          activation: 'relu',
          bias: true,
        },
        new Rng(n),
      ),
    );
    // The same network reading its input as float32 (as a PyTorch float32 model does).
    const f32 = {
      inputDim: n,
      outputDim: 1,
      precision: 'unknown' as const,
      query: (x: Matrix) => net.query({ ...x, data: Float64Array.from(Float32Array.from(x.data)) }),
      dispose: async () => {},
    };
    for (let seed = 0; seed < 20; seed++) {
      assert.equal(await probePrecision(f32, new Rng(seed)), 'f32', `n=${n} seed=${seed}`);
      assert.equal(await probePrecision(net, new Rng(seed)), 'f64', `n=${n} seed=${seed}`);
    }
  }
});

test('a constant model probes as float32 (the safe step), with 4 queries', async () => {
  let rows = 0;
  const constant = {
    inputDim: 5,
    outputDim: 1,
    precision: 'unknown' as const,
    query: async (x: Matrix) => {
      rows += x.rows;
      return { rows: x.rows, cols: 1, data: new Float64Array(x.rows).fill(3) };
    },
    dispose: async () => {},
  };
  assert.equal(await probePrecision(constant, new Rng(1)), 'f32');
  assert.equal(rows, 4);
});
