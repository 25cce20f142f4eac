import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import onnxProto from 'onnx-proto';
import type { Matrix } from '../../src/linalg/matrix.js';
import { cholesky, choleskySolve } from '../../src/linalg/cholesky.js';
import { matmulTransB, norm2, row } from '../../src/linalg/matrix.js';
import {
  loadMnistFirstLayer,
  loadMnistHoldout,
  MNIST_CLASSES,
  MNIST_FILES,
  MNIST_FIRST_WIDTH,
  MNIST_INPUT_DIM,
} from '../../src/nets/mnist.js';
import { OnnxOracle } from '../../src/oracle/onnxOracle.js';
import { Rng } from '../../src/random/rng.js';
import { UserError } from '../../src/errors.js';
import { writeNpy } from '../../src/io/npy.js';
import { tempDir } from '../helpers.js';

const { onnx } = onnxProto;

/**
 * A move orthogonal to every row of the float32 model's first layer changes its scores only by
 * float32 rounding: the first Gemm sums 784 products with relative error ~√784·2⁻²⁴ ≈ 2e-6 of
 * its terms, then the later layers carry that through. Measured ~1e-6 of the change a random
 * move of the same length causes (which is O(1)); 1e-4 leaves room for other CPUs' kernels.
 */
const ORTHOGONAL_MOVE_REL = 1e-4;

/** The weight matrix of the model's first `Gemm` (its `B` input), widened to float64. */
function onnxFirstGemmWeight(path: string): Matrix {
  const model = onnx.ModelProto.decode(readFileSync(path));
  const graph = model.graph;
  assert.ok(graph, 'model has a graph');
  const gemm = graph.node?.find((n) => n.opType === 'Gemm');
  assert.ok(gemm?.input, 'model has a Gemm');
  const weightName = gemm.input[1];
  const init = graph.initializer?.find((t) => t.name === weightName);
  assert.ok(init?.rawData && init.dims, 'the Gemm weight is a raw-data initializer');
  assert.equal(init.dataType, onnx.TensorProto.DataType.FLOAT);
  const [rows, cols] = init.dims.map(Number);
  const raw = init.rawData;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const data = Float64Array.from({ length: rows * cols }, (_, i) => view.getFloat32(4 * i, true));
  return { rows, cols, data };
}

/**
 * `v` minus its projection on the row span of `a` (full row rank), `v − aᵀ(a aᵀ)⁻¹ a v` by the
 * normal equations (the 128 × 128 Gram matrix is cheap, an SVD of `a` is not); a second pass
 * removes what rounding left of the span.
 */
function complementPart(a: Matrix, v: Float64Array): Float64Array {
  const l = cholesky(matmulTransB(a, a));
  assert.ok(l, 'A has full row rank');
  let out = v;
  for (let pass = 0; pass < 2; pass++) {
    const coef = choleskySolve(
      l,
      a.rows,
      matmulTransB(a, { rows: 1, cols: a.cols, data: out }).data,
    );
    out = out.map((x, j) => x - coef.reduce((s, c, i) => s + c * a.data[i * a.cols + j], 0));
  }
  return out;
}

/** Largest absolute difference between the score rows of two queries. */
function maxScoreChange(a: Matrix, b: Matrix): number {
  return a.data.reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i])), 0);
}

describe('bundled MNIST files', () => {
  it('holdout: digits of 784 pixels in [0, 1], one integer label 0–9 each, every class present', async () => {
    const { digits, labels } = await loadMnistHoldout();
    assert.equal(digits.cols, MNIST_INPUT_DIM);
    assert.equal(labels.length, digits.rows);
    assert.ok(digits.rows >= 100, `${digits.rows} digits`);
    assert.ok(digits.data.every((p) => p >= 0 && p <= 1));
    assert.ok(labels.every((l) => l >= 0 && l < MNIST_CLASSES));
    assert.equal(new Set(labels).size, MNIST_CLASSES);
  });

  it('the first layer is the ONNX model’s first Gemm weight, value for value', async () => {
    const a = await loadMnistFirstLayer();
    const w = onnxFirstGemmWeight(MNIST_FILES.model);
    assert.deepEqual([w.rows, w.cols], [MNIST_FIRST_WIDTH, MNIST_INPUT_DIM]);
    // float32 → float64 widening is exact, so the truth equals the stored weights exactly
    assert.deepEqual(a.data, w.data);
  });

  it('the first layer is the truth: moves orthogonal to its rows leave the scores unchanged', async () => {
    const a = await loadMnistFirstLayer();
    const { digits } = await loadMnistHoldout();
    const model = await OnnxOracle.create(MNIST_FILES.model);
    try {
      const rng = new Rng(11);
      const x = row(digits, 0);
      const random = rng.gaussianVector(MNIST_INPUT_DIM);
      const orthogonal = complementPart(a, rng.gaussianVector(MNIST_INPUT_DIM));
      const scale = norm2(x) / norm2(orthogonal);
      const moved = (d: Float64Array, s: number): Float64Array => x.map((v, i) => v + s * d[i]);
      const rows = [x, moved(orthogonal, scale), moved(random, norm2(x) / norm2(random))];
      const y = await model.query({
        rows: 3,
        cols: MNIST_INPUT_DIM,
        data: Float64Array.from(rows.flatMap((r) => Array.from(r))),
      });
      const scores = (i: number): Matrix => ({
        rows: 1,
        cols: MNIST_CLASSES,
        data: row(y, i),
      });
      const alongRandom = maxScoreChange(scores(0), scores(2));
      const alongOrthogonal = maxScoreChange(scores(0), scores(1));
      assert.ok(alongRandom > 0.1, `a random move changes the scores (${alongRandom})`);
      assert.ok(
        alongOrthogonal <= ORTHOGONAL_MOVE_REL * alongRandom,
        `orthogonal ${alongOrthogonal} vs random ${alongRandom}`,
      );
    } finally {
      await model.dispose();
    }
  });
});

describe('MNIST loaders refuse files that do not fit', () => {
  const dir = tempDir('spanrec-mnist-');
  const write = async (name: string, shape: number[], values: number[]): Promise<string> => {
    const path = join(dir, name);
    const count = shape.reduce((p, d) => p * d, 1);
    const data = Float64Array.from({ length: count }, (_, i) => values[i % values.length]);
    await writeNpy(path, { shape, data });
    return path;
  };

  it('reads a well-formed pair, and refuses bad labels or mismatched counts in one line', async () => {
    const holdout = await write('x.npy', [3, MNIST_INPUT_DIM], [0, 0.5, 1]);
    const good = await write('good.npy', [3], [0, 9, 4]);
    const { labels } = await loadMnistHoldout({ holdout, holdoutLabels: good });
    assert.deepEqual(Array.from(labels), [0, 9, 4]);
    const refused = (pattern: RegExp) => (e: unknown) =>
      e instanceof UserError && !e.message.includes('\n') && pattern.test(e.message);
    for (const [name, values] of [
      ['ten.npy', [0, 10, 1]],
      ['half.npy', [0, 2.5, 1]],
      ['neg.npy', [0, -1, 1]],
    ] as const) {
      const holdoutLabels = await write(name, [3], [...values]);
      await assert.rejects(loadMnistHoldout({ holdout, holdoutLabels }), refused(/integers 0–9/));
    }
    const short = await write('short.npy', [2], [1]);
    await assert.rejects(
      loadMnistHoldout({ holdout, holdoutLabels: short }),
      refused(/got \[3, 784\] and \[1, 2\]/),
    );
  });

  it('refuses a first layer of another shape', async () => {
    const a = await write('a.npy', [MNIST_FIRST_WIDTH, 783], [1]);
    await assert.rejects(loadMnistFirstLayer(a), /expected \[128, 784\], got \[128, 783\]/);
  });
});
