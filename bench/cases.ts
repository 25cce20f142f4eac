import type { Head } from '../src/nets/head.js';
import type { Activation } from '../src/nets/network.js';

/** One fixed benchmark case: a model, how it is served, and what the method may see. */
export interface BenchCase {
  readonly name: string;
  readonly n: number;
  readonly k: number;
  readonly widths: readonly number[];
  readonly outputs: number;
  readonly activation: Activation;
  /** rank(A) when below min(n, k). */
  readonly rank?: number;
  /** `onnx-f64` / `onnx-f32`: make-net's ONNX export; `cmd-f64` / `cmd-f32`: NumPy weights behind mlp_server.py, computing in
   * float64 / float32 (the precision is probed, as for a user's black box). */
  readonly serve: 'onnx-f64' | 'onnx-f32' | 'cmd-f64' | 'cmd-f32';
  /** An access level; `threshold:I:median` thresholds output I at its median over Gaussian inputs. */
  readonly access: string;
  readonly seed: number;
  /** The recovery's seed, when it differs from the model's (`--recovery-seeds`). */
  readonly recoverySeed?: number;
  /** The recovery method (`auto` when absent). */
  readonly method?: string;
  /** Query budget (the baseline runs at ours' count). */
  readonly budget?: number;
  /** Options of the method, by key. */
  readonly methodOptions?: Readonly<Record<string, number>>;
  /** make-net lookalike options. */
  readonly head?: Head;
  readonly layerNorm?: boolean;
  readonly influenceSpread?: number;
  readonly inputShape?: readonly number[];
  /** cmd cases: outputs rounded to this many decimals by the black box. */
  readonly round?: number;
  /**
   * cmd cases: the black box itself gives out only a decision (mlp_server.py --reveal), so the
   * tool sees nothing more whatever access it is run with: `bit:median` answers 1 when score 0
   * exceeds its median over Gaussian inputs (found as for `threshold:0:median`), else 0;
   * `onehot` answers the one-hot row of the top-1 label.
   */
  readonly reveal?: 'bit:median' | 'onehot';
}

/** The paper's gradient method's cases (the first bench); each also runs with the adaptive method. */
const BASE: readonly BenchCase[] = [
  {
    name: 'relu-100x50-f64',
    n: 100,
    k: 50,
    widths: [64, 64],
    outputs: 1,
    activation: 'relu',
    serve: 'onnx-f64',
    access: 'scores',
    seed: 1,
  },
  {
    name: 'relu-100x50-f32',
    n: 100,
    k: 50,
    widths: [64, 64],
    outputs: 1,
    activation: 'relu',
    serve: 'onnx-f32',
    access: 'scores',
    seed: 1,
  },
  {
    name: 'relu-100x50-rank20',
    n: 100,
    k: 50,
    widths: [64, 64],
    outputs: 1,
    activation: 'relu',
    rank: 20,
    serve: 'onnx-f64',
    access: 'scores',
    seed: 2,
  },
  {
    name: 'tanh-100x50-f64',
    n: 100,
    k: 50,
    widths: [64, 64],
    outputs: 1,
    activation: 'tanh',
    serve: 'onnx-f64',
    access: 'scores',
    seed: 3,
  },
  {
    name: 'relu-200x60-cmd-3out',
    n: 200,
    k: 60,
    widths: [128, 64],
    outputs: 3,
    activation: 'relu',
    serve: 'cmd-f64',
    access: 'scores',
    seed: 4,
  },
  {
    name: 'relu-200x60-cmd-score1',
    n: 200,
    k: 60,
    widths: [128, 64],
    outputs: 3,
    activation: 'relu',
    serve: 'cmd-f64',
    access: 'score:1',
    seed: 4,
  },
  {
    name: 'relu-200x60-cmd-f32',
    n: 200,
    k: 60,
    widths: [128, 64],
    outputs: 3,
    activation: 'relu',
    serve: 'cmd-f32',
    access: 'scores',
    seed: 4,
  },
  {
    name: 'relu-784x128-f64',
    n: 784,
    k: 128,
    widths: [64],
    outputs: 10,
    activation: 'relu',
    serve: 'onnx-f64',
    access: 'scores',
    seed: 5,
  },
  {
    name: 'relu-784x128-f32',
    n: 784,
    k: 128,
    widths: [64],
    outputs: 10,
    activation: 'relu',
    serve: 'onnx-f32',
    access: 'scores',
    seed: 5,
  },
];

/** The adaptive method's acceptance shapes, each beside the gradient method where cheap. */
const DEEP = { n: 784, k: 128, widths: [256, 256], outputs: 1, access: 'score:0', seed: 1 };
const ACCEPTANCE: readonly BenchCase[] = [
  { ...DEEP, name: 'relu-784x128-deep-f64', activation: 'relu', serve: 'onnx-f64' },
  { ...DEEP, name: 'relu-784x128-deep-f32', activation: 'relu', serve: 'onnx-f32' },
  { ...DEEP, name: 'tanh-784x128-deep-f64', activation: 'tanh', serve: 'onnx-f64' },
  { ...DEEP, name: 'gelu-784x128-deep-f64', activation: 'gelu', serve: 'onnx-f64' },
  {
    name: 'relu-200x60-cmd-rounded6',
    n: 200,
    k: 60,
    widths: [128, 64],
    outputs: 3,
    activation: 'relu',
    serve: 'cmd-f64',
    access: 'scores',
    seed: 4,
    round: 6,
  },
];

/** Lookalikes of deployed float32 detector heads (adaptive method only: minutes each). */
const LOOKALIKE = {
  n: 1536,
  widths: [128],
  activation: 'relu',
  serve: 'onnx-f32',
  influenceSpread: 12,
} as const;
const LOOKALIKES: readonly BenchCase[] = [
  {
    ...LOOKALIKE,
    name: 'lookalike-1536x128-sigmoid',
    k: 128,
    outputs: 1,
    head: 'sigmoid',
    inputShape: [1, 16, 96],
    access: 'scores',
    seed: 1,
  },
  {
    ...LOOKALIKE,
    name: 'lookalike-1536x32-layernorm',
    k: 32,
    outputs: 1,
    head: 'sigmoid',
    layerNorm: true,
    inputShape: [1, 16, 96],
    access: 'scores',
    seed: 2,
  },
  {
    ...LOOKALIKE,
    name: 'lookalike-3264x128-softmax7',
    n: 3264,
    k: 128,
    outputs: 7,
    head: 'softmax',
    inputShape: [1, 34, 96],
    access: 'scores',
    seed: 3,
  },
];

/**
 * The boundary method's acceptance shapes: one bit per query (`threshold:0:median`, the
 * threshold being the median output over Gaussian inputs, found by bench/run.ts before the run)
 * or one label per query.
 */
const BITS = { n: 100, k: 20, widths: [32, 32], outputs: 1, serve: 'onnx-f64', seed: 1 } as const;
const BOUNDARY: readonly BenchCase[] = [
  ...(['tanh', 'sigmoid', 'gelu', 'relu'] as const).map((activation) => ({
    ...BITS,
    name: `${activation}-100x20-bits`,
    activation,
    access: 'threshold:0:median',
  })),
  {
    name: 'relu-784x64-labels',
    n: 784,
    k: 64,
    widths: [32, 32],
    outputs: 10,
    activation: 'relu',
    serve: 'onnx-f64',
    access: 'label',
    seed: 5,
  },
  // the float32 detector lookalike as a 1-bit box (its sigmoid score above 0.5, which 7 % of
  // Gaussian inputs reach): 6–34 min on 2 shared cores, ~6M queries
  {
    ...LOOKALIKE,
    name: 'lookalike-1536x128-sigmoid-bit',
    k: 128,
    outputs: 1,
    head: 'sigmoid',
    inputShape: [1, 16, 96],
    access: 'threshold:0:0.5',
    seed: 1,
  },
];

/**
 * The boundary method's acceptance shapes again, on black boxes that themselves answer only the
 * bit or the one-hot label (docs/REFERENCE.md, `cmd:`), run with the access levels documented
 * for such boxes.
 */
const DECIDING_BOXES: readonly BenchCase[] = [
  {
    ...BITS,
    name: 'tanh-100x20-box-bits',
    activation: 'tanh',
    serve: 'cmd-f64',
    reveal: 'bit:median',
    access: 'threshold:0:0.5',
  },
  // a float32 box with a weak unit among its first layer's (influence spread 12×): the ratios'
  // noise shows, the offset switches, and the span is refined when the rows left allow it
  {
    name: 'relu-200x32-f32-box-bit',
    n: 200,
    k: 32,
    widths: [32],
    outputs: 1,
    activation: 'relu',
    serve: 'cmd-f32',
    influenceSpread: 12,
    reveal: 'bit:median',
    access: 'threshold:0:0.5',
    seed: 1,
  },
  {
    name: 'relu-784x64-box-labels',
    n: 784,
    k: 64,
    widths: [32, 32],
    outputs: 10,
    activation: 'relu',
    serve: 'cmd-f64',
    reveal: 'onehot',
    access: 'label',
    seed: 5,
  },
];

/** The fixed cases of `npm run bench`; later work adds rows here rather than new harnesses. */
export const CASES: readonly BenchCase[] = [
  ...[...BASE, ...ACCEPTANCE].flatMap((c) => [
    { ...c, method: 'gradient' },
    { ...c, name: c.name, method: 'adaptive' },
  ]),
  ...LOOKALIKES.map((c) => ({ ...c, method: 'adaptive' })),
  ...[...BOUNDARY, ...DECIDING_BOXES].map((c) => ({ ...c, method: 'boundary' })),
  // the Monte-Carlo baseline at about our queries on the same nets (bench/hsjBaseline.ts)
  ...BOUNDARY.filter((c) => c.n === 100).map((c) => ({
    ...c,
    method: 'hsj-baseline',
    budget: 50000,
    methodOptions: { baselineRank: c.k },
  })),
];
