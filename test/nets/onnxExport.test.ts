import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { UserError } from '../../src/errors.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { ACTIVATIONS, forward, type Activation, type Network } from '../../src/nets/network.js';
import {
  networkToOnnx,
  writeNetworkOnnx,
  type OnnxExportOptions,
} from '../../src/nets/onnxExport.js';
import { randomNetwork, type RandomNetworkOptions } from '../../src/nets/randomNetwork.js';
import { OnnxOracle } from '../../src/oracle/onnxOracle.js';
import { Rng } from '../../src/random/rng.js';

const { onnx } = onnxProto;

/** f64 graph vs float64 reference: only summation order and libm differences (~1e-16 each). */
const F64_REL = 1e-12;
/** f32 graph: inputs, weights and every op rounded to float32 (ε ≈ 6e-8) through a few layers. */
const F32_REL = 1e-5;
/**
 * The f64 LayerNorm graph vs `forward`: rounding in summation order only (measured 9e-16 on
 * this net; onnxruntime's own double `LayerNormalization`, with its float32 epsilon and
 * one-pass variance, is 4e-13 off, which this bound exists to catch).
 */
const LAYER_NORM_F64_REL = 1e-14;
/** Softmax scores of one row sum to 1 up to m roundings of the arithmetic (m ≤ 7 here). */
const SOFTMAX_SUM = { f64: 1e-15, f32: 1e-6 } as const;
/** In-graph f64 erf vs network.ts's erf, whose alternating series loses ~4e-15 near |u| = 2.5. */
const ERF64_ABS = 1e-14;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spanrec-onnx-export-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileCount = 0;
async function throughOracle(
  net: Network,
  opts: OnnxExportOptions,
  inputs: Matrix,
): Promise<Matrix> {
  const path = join(dir, `net${fileCount++}.onnx`);
  await writeNetworkOnnx(path, net, opts);
  const oracle = await OnnxOracle.create(path);
  try {
    assert.equal(oracle.inputDim, inputs.cols);
    assert.equal(oracle.precision, opts.dtype);
    assert.equal(oracle.setupQueries, 0, 'exported models declare their output shape');
    return await oracle.query(inputs);
  } finally {
    await oracle.dispose();
  }
}

function gaussianRows(rows: number, cols: number, scale: number, rng: Rng): Matrix {
  const data = rng.gaussianVector(rows * cols).map((v) => scale * v);
  return { rows, cols, data };
}

/** max |a − b| / max(1, max |b|): relative to the output scale, absolute near zero. */
function relativeError(actual: Matrix, expected: Matrix): number {
  assert.equal(actual.rows, expected.rows);
  assert.equal(actual.cols, expected.cols);
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < expected.data.length; i++) {
    diff = Math.max(diff, Math.abs(actual.data[i] - expected.data[i]));
    scale = Math.max(scale, Math.abs(expected.data[i]));
  }
  return diff / scale;
}

function identityNet(width: number, activation: Activation): Network {
  const eye = (): Matrix => {
    const data = new Float64Array(width * width);
    for (let i = 0; i < width; i++) data[i * width + i] = 1;
    return { rows: width, cols: width, data };
  };
  return {
    layers: [
      { weight: eye(), bias: null },
      { weight: eye(), bias: null },
    ],
    activation,
  };
}

describe('networkToOnnx', () => {
  for (const activation of ACTIVATIONS) {
    for (const dtype of ['f32', 'f64'] as const) {
      for (const bias of [true, false]) {
        it(`${activation} ${dtype} bias=${bias} matches forward()`, async () => {
          const rng = new Rng(1000 + ACTIVATIONS.indexOf(activation) * 10 + (bias ? 1 : 0));
          const net = randomNetwork(
            { inputDim: 12, firstWidth: 9, hiddenWidths: [7], outputs: 5, activation, bias },
            rng,
          );
          // scale 3 puts pre-activations well into both tails (and GELU's |x/√2| > 6 clamp)
          const inputs = gaussianRows(40, 12, 3, rng);
          const err = relativeError(
            await throughOracle(net, { dtype }, inputs),
            forward(net, inputs),
          );
          assert.ok(err <= (dtype === 'f64' ? F64_REL : F32_REL), `relative error ${err}`);
        });
      }
    }
  }

  it('evaluates erf in float64 to a few ulps on every piece, the clamp and beyond', async () => {
    // gelu(z) = 0.5 z (1 + erf(z/√2)) on z itself: identity layers around one activation
    const zs = [0, -0, 1e-300, 6 * Math.SQRT2, -6 * Math.SQRT2, 9, -9, 30, -30];
    for (let z = -10; z <= 10; z += 0.0625 * Math.SQRT2) zs.push(z, z + 1e-9);
    const net = identityNet(zs.length, 'gelu');
    const inputs = { rows: 1, cols: zs.length, data: Float64Array.from(zs) };
    const actual = await throughOracle(net, { dtype: 'f64' }, inputs);
    const expected = forward(net, inputs);
    zs.forEach((z, i) => {
      // gelu(z) = z·Φ(z), so an erf error e becomes |z|·e/2 in the output
      const tol = ERF64_ABS * Math.max(1, Math.abs(z) / 2);
      assert.ok(Math.abs(actual.data[i] - expected.data[i]) <= tol, `gelu(${z})`);
    });
  });

  it('makes f64 leaky exact (no float32 alpha)', async () => {
    const zs = [-3, -1e-3, -0, 0, 2.5, -123.456, 1e-310, -1e-310];
    const net = identityNet(zs.length, 'leaky');
    const inputs = { rows: 1, cols: zs.length, data: Float64Array.from(zs) };
    const actual = await throughOracle(net, { dtype: 'f64' }, inputs);
    assert.deepEqual(Array.from(actual.data), Array.from(forward(net, inputs).data));
  });

  it('declares opset 17, IR 8 and the named input and output', () => {
    const net = randomNetwork(
      { inputDim: 4, firstWidth: 3, hiddenWidths: [], outputs: 2, activation: 'relu', bias: true },
      new Rng(3),
    );
    const model = onnx.ModelProto.decode(
      networkToOnnx(net, { dtype: 'f32', inputName: 'pixels', outputName: 'logits' }),
    );
    assert.equal(Number(model.irVersion), 8);
    assert.deepEqual(
      model.opsetImport.map((o) => [o.domain, Number(o.version)]),
      [['', 17]],
    );
    const graph = model.graph;
    assert.ok(graph instanceof onnx.GraphProto);
    assert.deepEqual(
      graph.input.map((v) => v.name),
      ['pixels'],
    );
    assert.deepEqual(
      graph.output.map((v) => v.name),
      ['logits'],
    );
    const dims = graph.input[0].type?.tensorType?.shape?.dim ?? [];
    assert.deepEqual(
      dims.map((d) => d.dimParam || Number(d.dimValue)),
      ['batch', 4],
    );
    assert.deepEqual(
      graph.node.map((node) => node.opType),
      ['Gemm', 'Relu', 'Gemm'],
    );
  });

  it("writes users'-style shapes: fixed batch of 1, rank 1, symbolic batch, reshaped output", async () => {
    const rng = new Rng(7);
    const net = randomNetwork(
      {
        inputDim: 96,
        firstWidth: 8,
        hiddenWidths: [],
        outputs: 10,
        activation: 'tanh',
        bias: true,
      },
      rng,
    );
    const inputs = gaussianRows(5, 96, 1, rng);
    const expected = forward(net, inputs);
    const shapes: OnnxExportOptions[] = [
      { dtype: 'f64', inputShape: [1, 16, 6] },
      { dtype: 'f64', inputShape: [96], outputShape: [10] },
      { dtype: 'f64', inputShape: ['n', 4, 24], outputShape: ['n', 2, 5] },
      { dtype: 'f64', inputShape: [1, 16, 6], outputShape: [1, 1, 2, 5] },
    ];
    for (const opts of shapes) {
      const err = relativeError(await throughOracle(net, opts, inputs), expected);
      assert.ok(err <= F64_REL, `${JSON.stringify(opts)}: relative error ${err}`);
    }
  });

  it('rejects an input shape that does not hold n inputs', () => {
    const net = randomNetwork(
      {
        inputDim: 96,
        firstWidth: 2,
        hiddenWidths: [],
        outputs: 1,
        activation: 'relu',
        bias: false,
      },
      new Rng(1),
    );
    for (const inputShape of [[1, 16, 5], [2, 96], [1, 'h', 96], []]) {
      assert.throws(
        () => networkToOnnx(net, { dtype: 'f32', inputShape }),
        (e: unknown) => e instanceof UserError && /96/.test(e.message),
      );
    }
  });

  it('rejects an output shape that does not hold m scores per example', () => {
    const net = randomNetwork(
      {
        inputDim: 6,
        firstWidth: 2,
        hiddenWidths: [],
        outputs: 10,
        activation: 'relu',
        bias: false,
      },
      new Rng(1),
    );
    for (const outputShape of [
      [1, 3, 3],
      [2, 5],
      ['a', 'b', 10],
    ]) {
      assert.throws(
        () => networkToOnnx(net, { dtype: 'f32', outputShape }),
        (e: unknown) => e instanceof UserError && /10 scores/.test(e.message),
      );
    }
  });

  it('writeNetworkOnnx writes exactly networkToOnnx', async () => {
    const net = randomNetwork(
      { inputDim: 3, firstWidth: 2, hiddenWidths: [], outputs: 1, activation: 'gelu', bias: true },
      new Rng(5),
    );
    const path = join(dir, 'same.onnx');
    await writeNetworkOnnx(path, net, { dtype: 'f64' });
    const written = await readFile(path);
    assert.ok(written.equals(networkToOnnx(net, { dtype: 'f64' })));
  });
});

describe('networkToOnnx: heads, first-layer LayerNorm, influence spread', () => {
  const plain: RandomNetworkOptions = {
    inputDim: 30,
    firstWidth: 12,
    hiddenWidths: [10],
    outputs: 3,
    activation: 'relu',
    bias: true,
  };
  const features: [string, Partial<RandomNetworkOptions>][] = [
    ['sigmoid head', { head: 'sigmoid', outputs: 1 }],
    ['softmax head', { head: 'softmax', outputs: 7 }],
    ['LayerNorm', { layerNorm: true }],
    ['influence spread 100', { influenceSpread: 100 }],
    [
      'all of them, gelu',
      { head: 'softmax', layerNorm: true, influenceSpread: 30, activation: 'gelu' },
    ],
  ];
  features.forEach(([name, extra], f) => {
    for (const dtype of ['f32', 'f64'] as const) {
      it(`${name} ${dtype} matches forward()`, async () => {
        const rng = new Rng(2000 + f);
        const net = randomNetwork({ ...plain, ...extra }, rng);
        const inputs = gaussianRows(40, plain.inputDim, 3, rng);
        const actual = await throughOracle(net, { dtype }, inputs);
        const err = relativeError(actual, forward(net, inputs));
        assert.ok(err <= (dtype === 'f64' ? F64_REL : F32_REL), `relative error ${err}`);
      });
    }
  });

  it('softmax scores are probability rows', async () => {
    const rng = new Rng(2100);
    const net = randomNetwork({ ...plain, outputs: 7, head: 'softmax' }, rng);
    const inputs = gaussianRows(30, plain.inputDim, 5, rng);
    for (const dtype of ['f32', 'f64'] as const) {
      for (const scores of [forward(net, inputs), await throughOracle(net, { dtype }, inputs)]) {
        for (let r = 0; r < scores.rows; r++) {
          const row = scores.data.subarray(r * 7, (r + 1) * 7);
          assert.ok(row.every((p) => p > 0 && p <= 1));
          const sum = row.reduce((a, b) => a + b, 0);
          assert.ok(Math.abs(sum - 1) <= SOFTMAX_SUM[dtype], `row ${r} sums to ${sum}`);
        }
      }
    }
  });

  it('exports LayerNormalization in f32 and an exact two-pass LayerNorm in f64', async () => {
    const rng = new Rng(2200);
    const net = randomNetwork({ ...plain, layerNorm: true }, rng);
    const ops = (dtype: 'f32' | 'f64'): string[] =>
      (onnx.ModelProto.decode(networkToOnnx(net, { dtype })).graph?.node ?? []).map(
        (node) => node.opType ?? '',
      );
    assert.ok(ops('f32').includes('LayerNormalization'));
    assert.ok(!ops('f64').includes('LayerNormalization'));
    const inputs = gaussianRows(20, plain.inputDim, 1, rng);
    const err = relativeError(
      await throughOracle(net, { dtype: 'f64' }, inputs),
      forward(net, inputs),
    );
    assert.ok(err <= LAYER_NORM_F64_REL, `relative error ${err}`);
  });

  it('runs a fixed-batch [1, 16, 96] lookalike row by row through OnnxOracle', async () => {
    const rng = new Rng(2300);
    const options = { ...plain, inputDim: 1536, outputs: 1, head: 'sigmoid' } as const;
    const net = randomNetwork({ ...options, layerNorm: true, influenceSpread: 10 }, rng);
    const inputs = gaussianRows(6, 1536, 1, rng);
    for (const dtype of ['f32', 'f64'] as const) {
      const path = join(dir, `fixed-${dtype}.onnx`);
      await writeNetworkOnnx(path, net, { dtype, inputShape: [1, 16, 96] });
      const oracle = await OnnxOracle.create(path);
      try {
        assert.equal(oracle.inputDim, 1536);
        assert.equal(oracle.outputDim, 1);
        assert.equal(oracle.batching, 'row-by-row', 'a fixed batch of 1 cannot be batched');
        const err = relativeError(await oracle.query(inputs), forward(net, inputs));
        assert.ok(err <= (dtype === 'f64' ? F64_REL : F32_REL), `${dtype}: relative error ${err}`);
      } finally {
        await oracle.dispose();
      }
    }
  });

  it('writeNetworkOnnx reports an unwritable path as a UserError naming it', async () => {
    const net = randomNetwork(plain, new Rng(1));
    await assert.rejects(
      writeNetworkOnnx(join(dir, 'no-such-dir', 'x.onnx'), net, { dtype: 'f32' }),
      (e: unknown) => e instanceof UserError && /no-such-dir.*no such directory/.test(e.message),
    );
  });
});

describe('reproducibility of make-net networks', () => {
  it('draws and exports, for a seed, the very bytes it always did (the bench depends on it)', () => {
    // sha256 of `make-net` files written before heads, LayerNorm and influence spread existed
    const pinned: [RandomNetworkOptions, number, 'f32' | 'f64', string][] = [
      [
        {
          inputDim: 100,
          firstWidth: 50,
          hiddenWidths: [64, 64],
          outputs: 1,
          activation: 'relu',
          bias: true,
        },
        1,
        'f64',
        '8160720f3029ea167698ccc9797fd3e7808892ffaf6005ce3ce0ae170f154d6d',
      ],
      [
        {
          inputDim: 20,
          firstWidth: 8,
          hiddenWidths: [5],
          outputs: 3,
          activation: 'gelu',
          bias: true,
        },
        7,
        'f32',
        'e16489816017c06bc2b8cd3d8864a1d662834bf0c519bf2cafd3c370d03964c9',
      ],
    ];
    for (const [options, seed, dtype, sha256] of pinned) {
      const bytes = networkToOnnx(randomNetwork(options, new Rng(seed)), { dtype });
      assert.equal(createHash('sha256').update(bytes).digest('hex'), sha256);
    }
  });
});
