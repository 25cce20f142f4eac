import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNpyMatrix } from '../../src/io/npy.js';
import { forward } from '../../src/nets/network.js';
import { randomNetwork } from '../../src/nets/randomNetwork.js';
import { OnnxOracle } from '../../src/oracle/onnxOracle.js';
import { Rng } from '../../src/random/rng.js';
import { tempDir } from '../helpers.js';
import { runCli } from './runCli.js';

/** float32 graph vs the float64 network: inputs, weights and each op rounded (ε ≈ 6e-8). */
const F32_ABS = 1e-5;

const dir = tempDir();

test('make-net writes a fixed-batch lookalike that the ONNX oracle reads as n = 1536', async () => {
  const out = join(dir, 'lookalike.onnx');
  const truth = join(dir, 'A.npy');
  const r = runCli([
    'make-net',
    ...['--input-shape', '1,16,96', '--k', '16', '--widths', '24', '--layernorm'],
    ...['--head', 'softmax', '--outputs', '3', '--influence-spread', '20'],
    ...['--dtype', 'f32', '--seed', '5', '--out', out, '--truth', truth],
  ]);
  assert.equal(r.code, 0, r.stderr);
  // the same network the library draws from these options and seed
  const net = randomNetwork(
    {
      inputDim: 1536,
      firstWidth: 16,
      hiddenWidths: [24],
      outputs: 3,
      activation: 'relu',
      bias: true,
      head: 'softmax',
      layerNorm: true,
      influenceSpread: 20,
    },
    new Rng(5),
  );
  assert.deepEqual(await readNpyMatrix(truth), net.layers[0].weight, '--truth is A itself');
  const oracle = await OnnxOracle.create(out);
  try {
    assert.equal(oracle.inputDim, 1536);
    assert.equal(oracle.outputDim, 3);
    assert.equal(oracle.precision, 'f32');
    const rng = new Rng(9);
    const inputs = { rows: 4, cols: 1536, data: rng.gaussianVector(4 * 1536) };
    const actual = await oracle.query(inputs);
    assert.equal(oracle.batching, 'row-by-row');
    const expected = forward(net, inputs);
    actual.data.forEach((v, i) => assert.ok(Math.abs(v - expected.data[i]) <= F32_ABS, `${i}`));
  } finally {
    await oracle.dispose();
  }
});

test('make-net --dead-units: the model recovers k − D directions, --truth is still all of A', async () => {
  const out = join(dir, 'dead.onnx');
  const made = runCli([
    'make-net',
    ...['--n', '30', '--k', '8', '--widths', '16', '--dead-units', '3', '--out', out],
  ]);
  assert.equal(made.code, 0, made.stderr);
  const recovered = runCli([
    'recover',
    '--model',
    `onnx:${out}`,
    '--out',
    join(dir, 'dead-out'),
    '--json',
  ]);
  assert.equal(recovered.code, 0, recovered.stderr);
  assert.equal((JSON.parse(recovered.stdout) as { rank: number }).rank, 8 - 3);
  const tooMany = runCli(['make-net', '--n', '30', '--k', '8', '--dead-units', '8', '--out', out]);
  assert.equal(tooMany.code, 2);
  assert.match(tooMany.stderr, /--dead-units 8: expected an integer in \[0, 7\]/);
});
