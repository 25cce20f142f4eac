import type { Command } from 'commander';
import { writeNpy } from '../io/npy.js';
import { HEADS, type Head } from '../nets/head.js';
import { ACTIVATIONS, type Activation } from '../nets/network.js';
import { writeNetworkOnnx } from '../nets/onnxExport.js';
import { randomNetwork } from '../nets/randomNetwork.js';
import { Rng } from '../random/rng.js';
import { UserError } from '../errors.js';
import { DEFAULTS } from './defaults.js';
import {
  optional,
  parseChoice,
  parseInteger,
  parseIntegerList,
  parsePositiveNumber,
} from './parse.js';

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
  /** ONNX input shape; default `[batch, n]`. */
  readonly inputShape?: (number | string)[];
  readonly head: Head;
  readonly layerNorm: boolean;
  readonly influenceSpread: number;
  readonly deadUnits: number;
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
  inputShape?: string;
  head?: string;
  layernorm?: boolean;
  influenceSpread?: string;
  deadUnits?: string;
  out?: string;
  truth?: string;
}

/** Declare `make-net` and its flags on the program. */
export function makeNetCommand(
  program: Command,
  run: (flags: MakeNetFlags) => Promise<void>,
): void {
  const mk = DEFAULTS.makeNet;
  program
    .command('make-net')
    .description('write a random network as ONNX, and its true first layer A as .npy')
    .option('--n <n>', 'input dimension (may be left out when --input-shape gives it)')
    .requiredOption('--k <k>', 'first-layer width (rows of A)')
    .option('--widths <list>', 'hidden widths after the first layer', mk.widths)
    .option('--act <name>', ACTIVATIONS.join(' | '), mk.act)
    .option('--outputs <m>', 'number of outputs', String(mk.outputs))
    .option('--head <h>', `output head after the last layer: ${HEADS.join(' | ')}`, mk.head)
    .option('--bias', 'use biases (default)')
    .option('--no-bias', 'no biases')
    .option('--dtype <d>', 'f32 | f64', mk.dtype)
    .option('--rank <r>', 'rank of A (default min(n, k)); lower makes it rank-deficient')
    .option(
      '--input-shape <dims>',
      'ONNX input shape, e.g. 1,16,96 (fixed batch of 1) or batch,16,96 (default batch,n)',
    )
    .option(
      '--layernorm',
      'LayerNorm over the k first-layer units before their activation (the model then reads ' +
        'only k−1 directions of the row span of A when k ≤ n; --truth is still A)',
    )
    .option(
      '--influence-spread <s>',
      "give the first-layer units' outgoing weights norms spaced geometrically over a factor " +
        'S, in random order: the weakest unit moves the output S times less than the strongest',
      String(mk.influenceSpread),
    )
    .option(
      '--dead-units <d>',
      'give D random first-layer units all-zero outgoing weights: they never reach the output, ' +
        'so only k − D rows of A can be recovered (--truth is still all of A)',
      '0',
    )
    .option('--seed <s>', 'random seed', String(mk.seed))
    .requiredOption('--out <file>', 'ONNX file to write')
    .option('--truth <file>', 'write A (k × n, float64) here')
    .action(run);
}

export function parseMakeNetFlags(f: MakeNetFlags): MakeNetCommand {
  const inputShape = optional(f.inputShape, parseInputShape);
  if ((f.n === undefined && inputShape === undefined) || f.k === undefined || !f.out) {
    throw new UserError('make-net needs --n N (or --input-shape), --k K and --out FILE.onnx');
  }
  const n = inputShape ? shapeSize(inputShape) : parseInteger('--n', f.n ?? '', { min: 1 });
  if (inputShape && f.n !== undefined && parseInteger('--n', f.n, { min: 1 }) !== n) {
    throw new UserError(`--input-shape ${f.inputShape} holds ${n} inputs, but --n is ${f.n}`);
  }
  const k = parseInteger('--k', f.k, { min: 1 });
  const rank = optional(f.rank, (v) => parseInteger('--rank', v, { min: 1, max: Math.min(n, k) }));
  const widths = parseIntegerList('--widths', f.widths ?? DEFAULTS.makeNet.widths);
  const outputs = parseInteger('--outputs', f.outputs ?? String(DEFAULTS.makeNet.outputs), {
    min: 1,
  });
  const sizes = [n, k, ...widths, outputs];
  const weights = sizes.slice(1).reduce((sum, out, l) => sum + out * sizes[l], 0);
  if (weights > MAX_NET_WEIGHTS) {
    throw new UserError(
      `make-net: ${sizes.join(' → ')} has ${weights} weights, more than the ${MAX_NET_WEIGHTS} allowed`,
    );
  }
  const head = parseChoice('--head', f.head ?? DEFAULTS.makeNet.head, HEADS);
  if (head === 'softmax' && outputs < 2) {
    throw new UserError('--head softmax needs --outputs 2 or more (one softmax score is always 1)');
  }
  return {
    n,
    k,
    widths,
    activation: parseChoice('--act', f.act ?? DEFAULTS.makeNet.act, ACTIVATIONS),
    outputs,
    bias: f.bias ?? true,
    dtype: parseChoice('--dtype', f.dtype ?? DEFAULTS.makeNet.dtype, ['f32', 'f64'] as const),
    seed: parseInteger('--seed', f.seed ?? String(DEFAULTS.makeNet.seed), {
      min: 0,
      max: 2 ** 32 - 1,
    }),
    rank,
    inputShape,
    head,
    layerNorm: f.layernorm ?? false,
    influenceSpread:
      optional(f.influenceSpread, (v) => parseSpread(v, k)) ?? DEFAULTS.makeNet.influenceSpread,
    deadUnits: parseInteger('--dead-units', f.deadUnits ?? '0', { min: 0, max: k - 1 }),
    out: f.out,
    truth: f.truth,
  };
}

/** Symbolic batch dimension: a name such as `batch` or `N`, allowed only first. */
const SYMBOLIC_DIM = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `1,16,96` or `batch,16,96`: positive integers, the first entry optionally symbolic. */
export function parseInputShape(value: string): (number | string)[] {
  const parts = value.split(',').map((p) => p.trim());
  return parts.map((p, i) => {
    if (i === 0 && SYMBOLIC_DIM.test(p)) return p;
    if (!/^\d+$/.test(p) || Number(p) < 1) {
      throw new UserError(
        `--input-shape ${value}: expected positive integers separated by commas, the first ` +
          `optionally a batch name (e.g. 1,16,96 or batch,16,96)`,
      );
    }
    return Number(p);
  });
}

/** Inputs per example: the product of the numeric dimensions. */
function shapeSize(shape: readonly (number | string)[]): number {
  return shape.reduce<number>((p, d) => (typeof d === 'number' ? p * d : p), 1);
}

function parseSpread(value: string, k: number): number {
  const spread = parsePositiveNumber('--influence-spread', value);
  if (spread < 1) throw new UserError(`--influence-spread ${value}: expected a number ≥ 1`);
  if (spread > 1 && k < 2) throw new UserError('--influence-spread needs --k 2 or more');
  return spread;
}

/**
 * `spanrec make-net`: a random network as an ONNX file, and its true first layer A. With
 * `--layernorm`, `--truth` is still A, although the model reads only the row span of
 * (I − 11ᵀ/k)·A, one dimension less for a full-rank A with k ≤ n (see `randomNetwork`).
 */
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
      head: cmd.head,
      layerNorm: cmd.layerNorm,
      influenceSpread: cmd.influenceSpread,
      deadUnits: cmd.deadUnits,
    },
    new Rng(cmd.seed),
  );
  await writeNetworkOnnx(cmd.out, net, { dtype: cmd.dtype, inputShape: cmd.inputShape });
  if (cmd.truth !== undefined) await writeNpy(cmd.truth, net.layers[0].weight);
  return 0;
}
