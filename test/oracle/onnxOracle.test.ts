import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { UserError } from '../../src/errors.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { forward, type Network } from '../../src/nets/network.js';
import { writeNetworkOnnx } from '../../src/nets/onnxExport.js';
import { randomNetwork } from '../../src/nets/randomNetwork.js';
import { BATCH_AGREEMENT_ULPS, MAX_ROWS_PER_RUN, OnnxOracle } from '../../src/oracle/onnxOracle.js';
import { Rng } from '../../src/random/rng.js';

const { onnx } = onnxProto;
const { DataType } = onnx.TensorProto;

/** f64 model vs float64 reference: summation order only. */
const F64_REL = 1e-12;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spanrec-onnx-oracle-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let fileCount = 0;
const tempPath = (name: string): string => join(dir, `${fileCount++}-${name}`);

async function exported(
  net: Network,
  inputShape: (number | string)[] | null,
  dtype: 'f32' | 'f64' = 'f64',
): Promise<string> {
  const path = tempPath('net.onnx');
  await writeNetworkOnnx(path, net, { dtype, inputShape });
  return path;
}

function smallNet(
  seed: number,
  inputDim = 24,
  activation: Network['activation'] = 'relu',
): Network {
  return randomNetwork(
    { inputDim, firstWidth: 8, hiddenWidths: [6], outputs: 4, activation, bias: true },
    new Rng(seed),
  );
}

function gaussianRows(rows: number, cols: number, rng: Rng): Matrix {
  return { rows, cols, data: rng.gaussianVector(rows * cols) };
}

function maxRelDiff(a: Matrix, b: Matrix): number {
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.data.length; i++) {
    diff = Math.max(diff, Math.abs(a.data[i] - b.data[i]));
    scale = Math.max(scale, Math.abs(b.data[i]));
  }
  return diff / scale;
}

type Dims = (number | string)[];
const tensorType = (elemType: number, dims: Dims): OnnxTypes.ITypeProto => ({
  tensorType: {
    elemType,
    shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
  },
});

/** A hand-written graph: inputs and outputs as [name, elemType, dims]. */
async function handModel(
  inputs: [string, number, Dims][],
  outputs: [string, number, Dims | null][],
  nodes: OnnxTypes.INodeProto[],
  initializer: OnnxTypes.ITensorProto[] = [],
): Promise<string> {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'hand',
      node: nodes,
      initializer,
      input: inputs.map(([name, t, dims]) => ({ name, type: tensorType(t, dims) })),
      output: outputs.map(([name, t, dims]) => ({
        name,
        type: dims ? tensorType(t, dims) : { tensorType: { elemType: t } },
      })),
    },
  });
  const path = tempPath('hand.onnx');
  await writeFile(path, onnx.ModelProto.encode(model).finish());
  return path;
}

function int64Tensor(name: string, values: number[]): OnnxTypes.ITensorProto {
  const rawData = new Uint8Array(8 * values.length);
  const view = new DataView(rawData.buffer);
  values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
  return { name, dims: [values.length], dataType: DataType.INT64, rawData };
}

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    return true;
  });
}

describe('OnnxOracle shapes', () => {
  it('[1, 16, 6] (fixed batch of 1): n = 96, row by row, matches forward()', async () => {
    const net = smallNet(1, 96, 'tanh');
    const oracle = await OnnxOracle.create(await exported(net, [1, 16, 6]));
    assert.equal(oracle.inputDim, 96);
    assert.equal(oracle.outputDim, 4);
    assert.equal(oracle.batching, 'row-by-row');
    const x = gaussianRows(5, 96, new Rng(2));
    assert.ok(maxRelDiff(await oracle.query(x), forward(net, x)) <= F64_REL);
    await oracle.dispose();
  });

  it("['batch', 4, 24]: n = 96 with a symbolic batch; [96] (no batch dim): n = 96", async () => {
    const net = smallNet(3, 96);
    const x = gaussianRows(3, 96, new Rng(4));
    for (const [shape, batching] of [
      [['batch', 4, 24], 'batched'],
      [[96], 'row-by-row'],
    ] as const) {
      const oracle = await OnnxOracle.create(await exported(net, [...shape]));
      assert.equal(oracle.inputDim, 96);
      assert.ok(maxRelDiff(await oracle.query(x), forward(net, x)) <= F64_REL);
      assert.equal(oracle.batching, batching);
      await oracle.dispose();
    }
  });

  it('reports the precision of the input type', async () => {
    for (const dtype of ['f32', 'f64'] as const) {
      const oracle = await OnnxOracle.create(await exported(smallNet(5), null, dtype));
      assert.equal(oracle.precision, dtype);
      await oracle.dispose();
    }
  });

  it('probes m once (setupQueries = 1) when the metadata leaves the output size open', async () => {
    // the Reshape target is an overridable initializer, so shape inference cannot fix m; and
    // an input with a default is not a required input
    const path = await handModel(
      [
        ['x', DataType.FLOAT, ['b', 2, 3]],
        ['shape', DataType.INT64, [2]],
      ],
      [['y', DataType.FLOAT, null]],
      [{ opType: 'Reshape', input: ['x', 'shape'], output: ['y'] }],
      [int64Tensor('shape', [-1, 6])],
    );
    const oracle = await OnnxOracle.create(path);
    assert.equal(oracle.setupQueries, 1);
    assert.equal(oracle.inputDim, 6);
    assert.equal(oracle.outputDim, 6);
    const x = {
      rows: 2,
      cols: 6,
      data: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    };
    assert.deepEqual(Array.from((await oracle.query(x)).data), Array.from(x.data));
    await oracle.dispose();
  });
});

describe('OnnxOracle batching', () => {
  it('a symbolic batch gives the row-by-row outputs, across several chunks', async () => {
    const net = smallNet(6, 24, 'tanh');
    const path = await exported(net, null, 'f32');
    const batched = await OnnxOracle.create(path);
    const single = await OnnxOracle.create(path, { rowByRow: true });
    const x = gaussianRows(MAX_ROWS_PER_RUN + 37, 24, new Rng(7));
    const a = await batched.query(x);
    const b = await single.query(x);
    assert.equal(batched.batching, 'batched');
    assert.equal(single.batching, 'row-by-row');
    // the agreement the oracle checks: rounding of the float32 kernels, no more
    assert.ok(maxRelDiff(a, b) <= BATCH_AGREEMENT_ULPS * 2 ** -23);
    // and a later query batches without re-checking
    const again = await batched.query({ rows: 3, cols: 24, data: x.data.slice(0, 72) });
    assert.deepEqual(Array.from(again.data), Array.from(a.data.subarray(0, 12)));
    await batched.dispose();
    await single.dispose();
  });

  it('falls back to row by row when the "batch" dim mixes rows', async () => {
    // y = x + mean over the batch: alone, a row gives 2x; batched, rows mix
    const path = await handModel(
      [['x', DataType.DOUBLE, ['b', 3]]],
      [['y', DataType.DOUBLE, ['b', 3]]],
      [
        {
          opType: 'ReduceMean',
          input: ['x'],
          output: ['mean'],
          attribute: [intsAttr('axes', [0])],
        },
        { opType: 'Add', input: ['x', 'mean'], output: ['y'] },
      ],
    );
    const oracle = await OnnxOracle.create(path);
    const x = { rows: 3, cols: 3, data: Float64Array.from([1, 2, 3, 10, 20, 30, -4, 0, 4]) };
    const y = await oracle.query(x);
    assert.equal(oracle.batching, 'row-by-row');
    assert.deepEqual(
      Array.from(y.data),
      Array.from(x.data, (v) => 2 * v),
    );
    await oracle.dispose();
  });

  it('falls back to row by row when a batch of 1 is baked into a symbolic graph', async () => {
    const path = await handModel(
      [['x', DataType.FLOAT, ['b', 4]]],
      [['y', DataType.FLOAT, [1, 2, 2]]],
      [{ opType: 'Reshape', input: ['x', 'shape'], output: ['y'] }],
      [int64Tensor('shape', [1, 2, 2])],
    );
    const oracle = await OnnxOracle.create(path);
    assert.equal(oracle.outputDim, 4);
    const x = { rows: 2, cols: 4, data: Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]) };
    assert.deepEqual(Array.from((await oracle.query(x)).data), Array.from(x.data));
    assert.equal(oracle.batching, 'row-by-row');
    await oracle.dispose();
  });
});

describe('OnnxOracle errors', () => {
  it('a missing file names the path', async () => {
    await rejects(OnnxOracle.create(join(dir, 'nope.onnx')), /nope\.onnx' not found/);
    await rejects(OnnxOracle.create(dir), /is not a file/);
  });

  it('a corrupt file and a truncated copy cannot be loaded', async () => {
    const corrupt = tempPath('corrupt.onnx');
    await writeFile(corrupt, 'this is not a protobuf\n\u0000\u0001\u0002');
    await rejects(OnnxOracle.create(corrupt), /corrupt\.onnx' cannot be loaded: .*Protobuf/);
    const good = await exported(smallNet(8), null);
    const truncated = tempPath('truncated.onnx');
    await copyFile(good, truncated);
    const bytes = await readFile(truncated);
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await rejects(OnnxOracle.create(truncated), /truncated\.onnx' cannot be loaded/);
  });

  it('other required inputs are named; unknown --input/--output names list the choices', async () => {
    const path = await handModel(
      [
        ['x', DataType.FLOAT, ['b', 3]],
        ['mask', DataType.FLOAT, ['b', 3]],
      ],
      [['y', DataType.FLOAT, ['b', 3]]],
      [{ opType: 'Mul', input: ['x', 'mask'], output: ['y'] }],
    );
    await rejects(OnnxOracle.create(path), /other required input\(s\) 'mask'/);
    await rejects(OnnxOracle.create(path, { inputName: 'mask' }), /'x' with no default/);
    await rejects(
      OnnxOracle.create(path, { inputName: 'z' }),
      /no input 'z' \(inputs: 'x', 'mask'\)/,
    );
    const net = await exported(smallNet(9), null);
    await rejects(
      OnnxOracle.create(net, { outputName: 'logits' }),
      /no output 'logits' \(outputs: 'y'\)/,
    );
  });

  it('an integer-only input is refused', async () => {
    const path = await handModel(
      [['ids', DataType.INT64, ['b', 3]]],
      [['y', DataType.INT64, ['b', 3]]],
      [{ opType: 'Identity', input: ['ids'], output: ['y'] }],
    );
    await rejects(OnnxOracle.create(path), /input 'ids' has element type int64/);
  });

  it('a symbolic non-batch dim is refused (n unknown)', async () => {
    const path = await handModel(
      [['x', DataType.FLOAT, ['b', 'seq']]],
      [['y', DataType.FLOAT, ['b', 'seq']]],
      [{ opType: 'Relu', input: ['x'], output: ['y'] }],
    );
    await rejects(OnnxOracle.create(path), /shape \[b, seq\]/);
  });

  it("onnxruntime's run errors become one-line UserErrors", async () => {
    // 6 values per row cannot be reshaped to rows of 4
    const path = await handModel(
      [['x', DataType.FLOAT, ['b', 6]]],
      [['y', DataType.FLOAT, ['c', 4]]],
      [{ opType: 'Reshape', input: ['x', 'shape'], output: ['y'] }],
      [int64Tensor('shape', [-1, 4])],
    );
    const oracle = await OnnxOracle.create(path);
    await rejects(
      oracle.query({ rows: 1, cols: 6, data: new Float64Array(6) }),
      /onnxruntime failed: /,
    );
    await oracle.dispose();
  });

  it('a NaN or infinite output names its row', async () => {
    const path = await handModel(
      [['x', DataType.DOUBLE, ['b', 2]]],
      [['y', DataType.DOUBLE, ['b', 2]]],
      [{ opType: 'Log', input: ['x'], output: ['y'] }],
    );
    const oracle = await OnnxOracle.create(path);
    const x = (rows: number[][]): Matrix => ({
      rows: rows.length,
      cols: 2,
      data: Float64Array.from(rows.flat()),
    });
    await rejects(
      oracle.query(
        x([
          [1, 2],
          [3, 4],
          [5, -1],
        ]),
      ),
      /output row 2 of the query has NaN at score 1/,
    );
    await rejects(
      oracle.query(
        x([
          [1, 2],
          [0, 4],
        ]),
      ),
      /output row 1 of the query has -Infinity at score 0/,
    );
    await oracle.dispose();
    await oracle.dispose(); // safe twice
  });
});

function intsAttr(name: string, ints: number[]): OnnxTypes.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints };
}
