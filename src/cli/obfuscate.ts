import type { Command } from 'commander';
import { join } from 'node:path';
import { parseBox, type Box } from '../attack/box.js';
import { DEFAULT_OBFUSCATION_SCALE, type Obfuscated } from '../attack/obfuscate.js';
import { obfuscationJson, runObfuscation, type ObfuscationJson } from '../attack/obfuscationRun.js';
import { imageShapeFor, obfuscationGrid, type ImageShape } from '../attack/obfuscationGrid.js';
import { UserError } from '../errors.js';
import { writeNpy } from '../io/npy.js';
import { writeGreyPng } from '../io/png.js';
import { orthonormalRows } from '../linalg/orthonormal.js';
import { formatAccess } from '../oracle/access.js';
import { openModel } from '../oracle/spec.js';
import { buildOracleStack } from '../oracle/stack.js';
import { Rng } from '../random/rng.js';
import * as modelFlags from './modelFlags.js';
import { prepareOutDir, writeResultFile } from './outDir.js';
import { optional, parseIntegerList, parseNonNegativeNumber } from './parse.js';
import { readFiniteMatrix } from './readMatrix.js';
import { readInputs, type InputSet } from './readInputs.js';

/** The files `obfuscate` writes into `--out` (an earlier run's are removed first). */
export const OBFUSCATE_OUTPUTS = ['obfuscated.npy', 'obfuscation.json', 'grid.png'] as const;

export interface ObfuscateCommand extends modelFlags.ModelFlags {
  readonly basis: string;
  readonly inputs: string;
  readonly outDir: string;
  readonly scale: number;
  readonly box: Box | null;
  readonly imageShape?: ImageShape;
  readonly json: boolean;
}

export interface ObfuscateFlags extends modelFlags.RawModelFlags {
  basis?: string;
  inputs?: string;
  out?: string;
  scale?: string;
  box?: string;
  imageShape?: string;
  json?: boolean;
}

/** Declare `obfuscate` and its flags on the program. */
export function obfuscateCommand(
  program: Command,
  run: (flags: ObfuscateFlags) => Promise<void>,
): void {
  modelFlags
    .addModelFlags(
      program
        .command('obfuscate')
        .description('inputs the model reads as the originals but a person sees as noise'),
    )
    .option('--basis <file>', 'basis of the span the model reads (.npy, rows × n)')
    .option('--inputs <path>', 'inputs (.npy, [count, …]) or a folder of greyscale PNG files')
    .option('--out <dir>', 'output directory')
    .option(
      '--scale <s>',
      "noise norm relative to each input's norm",
      String(DEFAULT_OBFUSCATION_SCALE),
    )
    .option('--box <lo:hi>', 'keep every entry inside [LO, HI], e.g. 0:1 for pixels')
    .option('--image-shape <h,w>', 'tile shape of grid.png (default: from the inputs)')
    .option('--json', 'print JSON')
    .action(run);
}

export function parseObfuscateFlags(f: ObfuscateFlags): ObfuscateCommand {
  if (
    f.model === undefined ||
    f.basis === undefined ||
    f.inputs === undefined ||
    f.out === undefined
  ) {
    throw new UserError(
      'obfuscate needs --model SPEC, --basis B.npy, --inputs X.npy and --out DIR',
    );
  }
  const common = modelFlags.parseModelFlags(f, 'obfuscate');
  if (common.access.kind !== 'scores') {
    throw new UserError(
      `--access ${formatAccess(common.access)}: obfuscate compares output values and needs --access scores`,
    );
  }
  return {
    ...common,
    basis: f.basis,
    inputs: f.inputs,
    outDir: f.out,
    scale: parseNonNegativeNumber('--scale', f.scale ?? String(DEFAULT_OBFUSCATION_SCALE)),
    box: optional(f.box, (v) => parseBox('--box', v)) ?? null,
    imageShape: optional(f.imageShape, parseImageShape),
    json: f.json ?? false,
  };
}

function parseImageShape(v: string): ImageShape {
  const dims = parseIntegerList('--image-shape', v);
  if (dims.length !== 2) throw new UserError(`--image-shape ${v}: expected H,W (two integers)`);
  return { height: dims[0], width: dims[1] };
}

/** `spanrec obfuscate`: obfuscate the inputs, measure what the model and a person see, write. */
export async function runObfuscate(cmd: ObfuscateCommand): Promise<number> {
  const basis = await readFiniteMatrix(cmd.basis);
  const set = await readInputs(cmd.inputs);
  const tile = tileShape(cmd, set);
  await prepareOutDir(cmd.outDir, OBFUSCATE_OUTPUTS);
  const model = await openModel(cmd.model, {
    ...modelFlags.openOptions(cmd),
    inputDim: cmd.inputDim ?? basis.cols,
  });
  try {
    checkWidths(cmd, basis.cols, set.inputs.cols, model.inputDim);
    const stack = buildOracleStack(model, cmd.access, null);
    // A forked stream: `make-net --seed S` draws A's rows as the first Gaussians of Rng(S), so
    // noise drawn from Rng(S) itself would lie in the span.
    const rng = new Rng(cmd.seed).fork();
    const run = await runObfuscation(stack.oracle, orthonormalRows(basis), set.inputs, cmd, rng);
    const { obfuscated, baseline, range } = run;
    const json = obfuscationJson(run, cmd, stack.counter.queries);
    await writeNpy(join(cmd.outDir, 'obfuscated.npy'), obfuscated.inputs);
    await writeResultFile(
      join(cmd.outDir, 'obfuscation.json'),
      JSON.stringify(json, null, 2) + '\n',
    );
    if (tile !== null) {
      const grid = obfuscationGrid([set.inputs, obfuscated.inputs, baseline], tile, range);
      await writeGreyPng(join(cmd.outDir, 'grid.png'), grid);
    } else {
      process.stderr.write(
        `obfuscate: inputs of ${set.inputs.cols} values are not image-shaped; no grid.png (give --image-shape H,W)\n`,
      );
    }
    warnUnmet(obfuscated, set);
    process.stdout.write(cmd.json ? JSON.stringify(json) + '\n' : summaryLine(json));
    return 0;
  } finally {
    await model.dispose();
  }
}

function tileShape(cmd: ObfuscateCommand, set: InputSet): ImageShape | null {
  const given = cmd.imageShape;
  if (given === undefined) return imageShapeFor(set.inputs.cols, set.shape);
  if (given.height * given.width !== set.inputs.cols) {
    throw new UserError(
      `--image-shape ${given.height},${given.width}: ${given.height * given.width} pixels, but each input has ${set.inputs.cols} values`,
    );
  }
  return given;
}

function checkWidths(cmd: ObfuscateCommand, basisCols: number, inputCols: number, n: number): void {
  if (basisCols !== n) {
    throw new UserError(
      `obfuscate: ${cmd.basis} has ${basisCols} columns but the model takes ${n} inputs`,
    );
  }
  if (inputCols !== n) {
    throw new UserError(
      `obfuscate: ${cmd.inputs} has inputs of ${inputCols} values but the model takes ${n}`,
    );
  }
}

function warnUnmet(o: Obfuscated, set: InputSet): void {
  const unmet = o.met.flatMap((ok, i) => (ok ? [] : [set.names[i]]));
  if (unmet.length === 0) return;
  const shown = unmet.slice(0, 5).join(', ') + (unmet.length > 5 ? ', …' : '');
  process.stderr.write(
    `obfuscate: ${unmet.length} of ${o.met.length} inputs could not keep P x' = P x inside the box (${shown}); see "unmet" in obfuscation.json\n`,
  );
}

function summaryLine(j: ObfuscationJson): string {
  const b = j.baseline;
  const f = (v: number | null): string => (v === null ? 'n/a' : v.toPrecision(3));
  return (
    `label kept ${f(j.labelKept)} (plain noise ${f(b.labelKept)}), correlation ${f(j.meanCorrelation)} ` +
    `(${f(b.meanCorrelation)}), PSNR ${f(j.meanPsnr)} dB (${f(b.meanPsnr)} dB), ` +
    `max output change ${f(j.maxOutputChange)}, ${String(j.queries)} queries\n`
  );
}
