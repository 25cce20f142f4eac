/**
 * The bundled MNIST model (`builtin:mnist`) and its companion files, shipped in the package's
 * `models/` directory (made by `scripts/train-mnist.ts`; see `models/README.md`).
 */
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';
import { readNpyMatrix } from '../io/npy.js';
import { readRegularFile } from '../io/safeFiles.js';
import type { Network } from './network.js';
import { reluMlpFromOnnx } from './onnxImport.js';

/** Pixels of one digit (28 × 28, C order, values in [0, 1]): the model's input length. */
export const MNIST_INPUT_DIM = 784;
/** Scores per digit: one raw logit per class 0–9 (no softmax); the largest is the prediction. */
export const MNIST_CLASSES = 10;
/** Width of the model's first layer: the bundled first layer `A` is 128 × 784. */
export const MNIST_FIRST_WIDTH = 128;

/** Paths of the bundled files. */
export interface MnistFiles {
  /** The float32 ONNX model: input `x` [batch, 784], output `y` [batch, 10] (logits). */
  readonly model: string;
  /** Held-out digits (never trained on), float32 [count, 784]. */
  readonly holdout: string;
  /** Their true labels 0–9, float64 [count]. */
  readonly holdoutLabels: string;
  /** The model's true first-layer weights `A`, float64 [128, 784]: the recovery's ground truth. */
  readonly firstLayer: string;
}

/**
 * `models/` sits two levels above this module both in the sources (`src/nets/mnist.ts`) and
 * in the build (`dist/nets/mnist.js`), so one relative URL serves both.
 */
const MODELS_DIR = new URL('../../models/', import.meta.url);

function bundled(name: string): string {
  return fileURLToPath(new URL(name, MODELS_DIR));
}

/** Absolute paths of the bundled MNIST files in the installed package. */
export const MNIST_FILES: MnistFiles = {
  model: bundled('mnist.onnx'),
  holdout: bundled('mnist-holdout.npy'),
  holdoutLabels: bundled('mnist-holdout-labels.npy'),
  firstLayer: bundled('mnist-first-layer.npy'),
};

/** Held-out digits with their labels, row `i` of `digits` labelled `labels[i]`. */
export interface MnistHoldout {
  /** count × 784 pixels in [0, 1]. */
  readonly digits: Matrix;
  /** count labels, integers 0–9. */
  readonly labels: Int32Array;
}

/**
 * Load held-out digits and their labels, by default the bundled ones.
 * @throws UserError when a file is missing or malformed (for the bundled files: a broken
 *   installation), the shapes disagree or a label is not an integer 0–9.
 */
export async function loadMnistHoldout(
  files: Pick<MnistFiles, 'holdout' | 'holdoutLabels'> = MNIST_FILES,
): Promise<MnistHoldout> {
  const digits = await readNpyMatrix(files.holdout);
  const labelRow = await readNpyMatrix(files.holdoutLabels);
  if (digits.cols !== MNIST_INPUT_DIM || labelRow.rows !== 1 || labelRow.cols !== digits.rows) {
    throw new UserError(
      `bundled MNIST holdout: expected [count, ${MNIST_INPUT_DIM}] digits and [count] labels, ` +
        `got [${digits.rows}, ${digits.cols}] and [${labelRow.rows}, ${labelRow.cols}]`,
    );
  }
  if (!labelRow.data.every((l) => Number.isInteger(l) && l >= 0 && l < MNIST_CLASSES)) {
    throw new UserError('bundled MNIST holdout: labels must be integers 0–9');
  }
  return { digits, labels: Int32Array.from(labelRow.data) };
}

/**
 * Load the bundled model's true first-layer weights `A` (128 × 784), the span a recovery
 * should find (or the same from another `path`).
 * @throws UserError when the file is missing, malformed or not 128 × 784.
 */
export async function loadMnistFirstLayer(path = MNIST_FILES.firstLayer): Promise<Matrix> {
  const a = await readNpyMatrix(path);
  if (a.rows !== MNIST_FIRST_WIDTH || a.cols !== MNIST_INPUT_DIM) {
    throw new UserError(
      `bundled MNIST first layer: expected [${MNIST_FIRST_WIDTH}, ${MNIST_INPUT_DIM}], ` +
        `got [${a.rows}, ${a.cols}]`,
    );
  }
  return a;
}

/** Largest ONNX file {@link loadMnistNetwork} reads (the bundled one is ~0.5 MB). */
const MAX_MNIST_ONNX_BYTES = 64 * 2 ** 20;

/**
 * The bundled model as a float64 {@link Network}: the ONNX file's own float32 weights, widened
 * exactly, evaluated in float64 (`NetworkOracle`). Experiments query it to measure the methods
 * without float32 rounding, against weights they know exactly.
 */
export async function loadMnistNetwork(path = MNIST_FILES.model): Promise<Network> {
  return reluMlpFromOnnx(await readRegularFile(path, MAX_MNIST_ONNX_BYTES), path);
}
