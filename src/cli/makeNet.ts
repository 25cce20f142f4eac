import { writeNpy } from '../io/npy.js';
import { ACTIVATIONS, type Activation } from '../nets/network.js';
import { writeNetworkOnnx } from '../nets/onnxExport.js';
import { randomNetwork } from '../nets/randomNetwork.js';
import { Rng } from '../random/rng.js';
import { UserError } from '../errors.js';
import { optional, parseChoice, parseInteger, parseIntegerList } from './parse.js';

/**
 * Most weights a generated network may have: 5e7 float64 weights are 400 MB in memory and as
 * many again in the ONNX file, well past any test network; larger shapes are refused up front
 * instead of failing inside the allocator.
 */
export const MAX_NET_WEIGHTS = 50_000_000;

export interface MakeNetCommand {
  readonly n: number;
  readonly k: number;
  readonly widths: number[];
  readonly activation: Activation;
  readonly outputs: number;
  readonly bias: boolean;
  readonly dtype: 'f32' | 'f64';
  readonly seed: number;
  readonly rank?: number;
  readonly out: string;
  readonly truth?: string;
}

export interface MakeNetFlags {
  n?: string;
  k?: string;
  widths?: string;
  act?: string;
  outputs?: string;
  bias?: boolean;
  dtype?: string;
  seed?: string;
  rank?: string;
  out?: string;
  truth?: string;
}

export function parseMakeNetFlags(f: MakeNetFlags): MakeNetCommand {
  if (f.n === undefined || f.k === undefined || f.out === undefined) {
    throw new UserError('make-net needs --n N, --k K and --out FILE.onnx');
  }
  const n = parseInteger('--n', f.n, { min: 1 });
  const k = parseInteger('--k', f.k, { min: 1 });
  const rank = optional(f.rank, (v) => parseInteger('--rank', v, { min: 1, max: Math.min(n, k) }));
  const widths = parseIntegerList('--widths', f.widths ?? '64,32');
  const outputs = parseInteger('--outputs', f.outputs ?? '1', { min: 1 });
  const sizes = [n, k, ...widths, outputs];
  const weights = sizes.slice(1).reduce((sum, out, l) => sum + out * sizes[l], 0);
  if (weights > MAX_NET_WEIGHTS) {
    throw new UserError(
      `make-net: ${sizes.join(' → ')} has ${weights} weights, more than the ${MAX_NET_WEIGHTS} allowed`,
    );
  }
  return {
    n,
    k,
    widths,
    activation: parseChoice('--act', f.act ?? 'relu', ACTIVATIONS),
    outputs,
    bias: f.bias ?? true,
    dtype: parseChoice('--dtype', f.dtype ?? 'f64', ['f32', 'f64'] as const),
    seed: parseInteger('--seed', f.seed ?? '1', { min: 0, max: 2 ** 32 - 1 }),
    rank,
    out: f.out,
    truth: f.truth,
  };
}

/** `spanrec make-net`: a random network as an ONNX file, and its true first layer A. */
export async function runMakeNet(cmd: MakeNetCommand): Promise<number> {
  const net = randomNetwork(
    {
      inputDim: cmd.n,
      firstWidth: cmd.k,
      hiddenWidths: cmd.widths,
      outputs: cmd.outputs,
      activation: cmd.activation,
      bias: cmd.bias,
      firstRank: cmd.rank,
    },
    new Rng(cmd.seed),
  );
  await writeNetworkOnnx(cmd.out, net, { dtype: cmd.dtype });
  if (cmd.truth !== undefined) await writeNpy(cmd.truth, net.layers[0].weight);
  return 0;
}
