import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { loadMnistHoldout, MNIST_CLASSES, MNIST_INPUT_DIM } from '../../src/nets/mnist.js';
import { BUILTIN_MODELS, builtinModelPath } from '../../src/oracle/builtinModels.js';
import { buildOracleStack } from '../../src/oracle/stack.js';
import { openModel, parseModelSpec } from '../../src/oracle/spec.js';

/**
 * Least share of the committed held-out digits the bundled model must classify right, read
 * through the oracle. The model gets 95.9 % of all 2,000 held-out digits and 94.8 % (474 of
 * 500) of the committed ones (see models/README.md), so a model or a loader that garbles even
 * a few digits fails.
 */
const MNIST_MIN_HOLDOUT_ACCURACY = 0.94;

/** Index of the largest score in each row. */
function argmaxRows(scores: Matrix): Int32Array {
  return Int32Array.from({ length: scores.rows }, (_, r) => {
    const row = scores.data.subarray(r * scores.cols, (r + 1) * scores.cols);
    return row.indexOf(Math.max(...row));
  });
}

describe('builtin models', () => {
  it('every builtin name resolves to an ONNX file that exists', () => {
    for (const name of Object.keys(BUILTIN_MODELS)) {
      assert.match(builtinModelPath(name), /\.onnx$/);
      assert.ok(existsSync(builtinModelPath(name)), name);
    }
  });

  it('builtin:mnist opens through the oracle stack: 784 inputs, 10 scores, float32', async () => {
    const model = await openModel(parseModelSpec('builtin:mnist'));
    try {
      const { oracle, counter } = buildOracleStack(model, { kind: 'scores' }, null);
      assert.equal(oracle.inputDim, MNIST_INPUT_DIM);
      assert.equal(oracle.outputDim, MNIST_CLASSES);
      assert.equal(oracle.precision, 'f32');
      const y = await oracle.query({ rows: 2, cols: 784, data: new Float64Array(2 * 784) });
      assert.deepEqual([y.rows, y.cols], [2, MNIST_CLASSES]);
      assert.equal(counter.queries, 2);
    } finally {
      await model.dispose();
    }
  });

  it(`builtin:mnist classifies ≥ ${100 * MNIST_MIN_HOLDOUT_ACCURACY} % of the held-out digits`, async () => {
    const { digits, labels } = await loadMnistHoldout();
    const model = await openModel(parseModelSpec('builtin:mnist'));
    try {
      const { oracle } = buildOracleStack(model, { kind: 'scores' }, null);
      const predicted = argmaxRows(await oracle.query(digits));
      const right = predicted.filter((p, i) => p === labels[i]).length;
      const accuracy = right / labels.length;
      assert.ok(accuracy >= MNIST_MIN_HOLDOUT_ACCURACY, `accuracy ${accuracy}`);
    } finally {
      await model.dispose();
    }
  });

  it('an unknown name is refused in one line that lists the known ones', async () => {
    const check = (e: unknown): boolean => {
      assert.ok(e instanceof UserError);
      assert.equal(e.exitCode, 2);
      assert.equal(
        e.message,
        '--model builtin:cifar: no such bundled model (known: builtin:mnist)',
      );
      return true;
    };
    assert.throws(() => builtinModelPath('cifar'), check);
    await assert.rejects(openModel(parseModelSpec('builtin:cifar')), check);
    // names are own keys only, not inherited ones
    assert.throws(() => builtinModelPath('toString'), UserError);
  });
});
