import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { decodeNpy, MAX_NPY_BYTES } from '../io/npy.js';
import { shapeRepr } from '../io/npyHeader.js';
import { fsProblem, readRegularFile } from '../io/safeFiles.js';
import { readGreyPng } from '../io/png.js';
import type { Matrix } from '../linalg/matrix.js';

/** Inputs to obfuscate, one per row, and the shape of the array (or images) they came from. */
export interface InputSet {
  readonly inputs: Matrix;
  /** `[count, …]`: the `.npy` shape, or `[count, height, width]` for PNG files. */
  readonly shape: number[];
  /** Where each row came from (file names for a folder of PNGs), for messages. */
  readonly names: string[];
}

/**
 * Read `--inputs` (or another flag's inputs, named in messages as `flag`): a `.npy` array `[count, …]` (each input flattened in C order; a 1-D array is
 * one input) or a folder of greyscale PNG files of one size (sorted by name, values in [0, 1]).
 * @throws UserError naming the path for anything unreadable, empty, mis-sized or non-finite.
 */
export async function readInputs(path: string, flag = '--inputs'): Promise<InputSet> {
  const info = await stat(path).catch((e: unknown) => {
    throw new UserError(`${flag} ${path}: ${fsProblem(e, 'read')}`);
  });
  const set = info.isDirectory() ? await readPngFolder(path, flag) : await readNpyInputs(path);
  const bad = set.inputs.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const i = Math.floor(bad / set.inputs.cols);
    throw new UserError(`${path}: input ${i} has a non-finite value (${set.inputs.data[bad]})`);
  }
  return set;
}

async function readNpyInputs(path: string): Promise<InputSet> {
  const { shape, data } = decodeNpy(await readRegularFile(path, MAX_NPY_BYTES), path);
  const full = shape.length === 1 ? [1, ...shape] : shape;
  const count = full[0] ?? 0;
  const n = full.slice(1).reduce((p, d) => p * d, 1);
  if (full.length < 2 || count === 0 || n === 0) {
    throw new UserError(
      `${path}: expected inputs shaped [count, …] with count, n ≥ 1, got shape ${shapeRepr(shape)}`,
    );
  }
  const names = Array.from({ length: count }, (_, i) => `${path}[${i}]`);
  return { inputs: { rows: count, cols: n, data }, shape: full, names };
}

async function readPngFolder(dir: string, flag: string): Promise<InputSet> {
  const files = (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.png')).sort();
  if (files.length === 0) throw new UserError(`${flag} ${dir}: the folder has no .png files`);
  const images = [];
  for (const f of files) images.push(await readGreyPng(join(dir, f)));
  const { width, height } = images[0];
  const odd = images.findIndex((im) => im.width !== width || im.height !== height);
  if (odd >= 0) {
    throw new UserError(
      `${flag} ${dir}: ${files[odd]} is ${images[odd].width}×${images[odd].height} but ${files[0]} is ${width}×${height}`,
    );
  }
  const n = width * height;
  const data = new Float64Array(files.length * n);
  images.forEach((im, i) => data.set(im.values, i * n));
  return {
    inputs: { rows: files.length, cols: n, data },
    shape: [files.length, height, width],
    names: files,
  };
}
