import type { Activation } from '../src/nets/network.js';

/** One fixed benchmark case: a model, how it is served, and what the method may see. */
export interface BenchCase {
  readonly name: string;
  readonly n: number;
  readonly k: number;
  readonly widths: number[];
  readonly outputs: number;
  readonly activation: Activation;
  /** rank(A) when below min(n, k). */
  readonly rank?: number;
  /** `onnx-f64` / `onnx-f32`: make-net's ONNX export; `cmd-f64` / `cmd-f32`: NumPy weights behind mlp_server.py, computing in
   * float64 / float32 (the precision is probed, as for a user's black box). */
  readonly serve: 'onnx-f64' | 'onnx-f32' | 'cmd-f64' | 'cmd-f32';
  readonly access: string;
  readonly seed: number;
}

/** The fixed cases of `npm run bench`; later issues add rows here rather than new harnesses. */
export const CASES: readonly BenchCase[] = [
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
