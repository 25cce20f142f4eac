import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GRID_GAP_PX } from '../../src/attack/obfuscationGrid.js';
import { readNpyMatrix, writeNpy } from '../../src/io/npy.js';
import { readGreyPng, writeGreyPng } from '../../src/io/png.js';
import { Rng } from '../../src/random/rng.js';
import { blobImages } from '../attack/images.js';
import { tempDir } from '../helpers.js';
import { assertUsageError, jsonOf, runCli } from './runCli.js';

const dir = tempDir();
const net = join(dir, 'net.onnx');
const truth = join(dir, 'A.npy');
const inputs = join(dir, 'X.npy');
const SIDE = 8;
const COUNT = 6;

/** The model and its (non-orthonormal) first layer, and 6 digit-like 8×8 inputs in [0, 1]. */
async function setUp(): Promise<void> {
  if (existsSync(inputs)) return;
  const r = runCli([
    'make-net',
    '--n',
    '64',
    '--k',
    '12',
    '--widths',
    '16',
    '--outputs',
    '5',
    '--out',
    net,
    '--truth',
    truth,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const x = blobImages(COUNT, SIDE, new Rng(3));
  await writeNpy(inputs, { shape: [COUNT, SIDE, SIDE], data: x.data });
}

/** Run `obfuscate` on `files` (default: the model's A and the 6 inputs) with `extra` flags. */
function obfuscate(out: string, ...extra: string[]) {
  return obfuscateFiles({ out }, ...extra);
}

function obfuscateFiles(
  files: { out: string; basis?: string; inputs?: string },
  ...extra: string[]
) {
  const { out, basis = truth, inputs: x = inputs } = files;
  return runCli(
    ['obfuscate', '--model', `onnx:${net}`, '--basis', basis, '--inputs', x, '--out', out].concat(
      extra,
    ),
  );
}

describe('spanrec obfuscate', () => {
  it('writes obfuscated.npy, obfuscation.json and grid.png; --json prints the file', async () => {
    await setUp();
    const out = join(dir, 'plain');
    const r = obfuscate(out, '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = jsonOf(r);
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'obfuscation.json'), 'utf8')), json);
    assert.equal(json.count, COUNT);
    assert.equal(json.scale, 1);
    assert.equal(json.box, null);
    assert.equal(json.labelKept, 1);
    assert.equal(json.queries, 3 * COUNT);
    // The exact basis: only float64 rounding reaches the outputs.
    assert.ok((json.maxOutputChange as number) < 1e-9, `${json.maxOutputChange}`);
    const baseline = json.baseline as Record<string, number>;
    assert.ok((json.meanCorrelation as number) < baseline.meanCorrelation);
    const obf = await readNpyMatrix(join(out, 'obfuscated.npy'));
    assert.deepEqual([obf.rows, obf.cols], [COUNT, SIDE * SIDE]);
    const grid = await readGreyPng(join(out, 'grid.png'));
    assert.equal(grid.width, 3 * SIDE + 2 * GRID_GAP_PX);
    assert.equal(grid.height, COUNT * SIDE + (COUNT - 1) * GRID_GAP_PX);
  });

  it('--box keeps every entry in the box', async () => {
    await setUp();
    const out = join(dir, 'box');
    const r = obfuscate(out, '--box', '0:1', '--scale', '2', '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = jsonOf(r);
    assert.deepEqual(json.box, [0, 1]);
    assert.deepEqual(json.unmet, []);
    assert.equal(json.labelKept, 1);
    const obf = await readNpyMatrix(join(out, 'obfuscated.npy'));
    assert.ok(obf.data.every((v) => v >= 0 && v <= 1));
  });

  it('names the inputs whose box constraints cannot be met, on stderr and in "unmet"', async () => {
    await setUp();
    // Bright blobs cannot keep their span coordinates with every pixel at most 0.05.
    const r = obfuscate(join(dir, 'unmet'), '--box', '0:0.05', '--json');
    assert.equal(r.code, 0, r.stderr);
    const unmet = jsonOf(r).unmet as number[];
    assert.ok(unmet.length > 0);
    assert.match(
      r.stderr,
      new RegExp(`^obfuscate: ${unmet.length} of ${COUNT} inputs could not keep`),
    );
    assert.match(r.stderr, new RegExp(`X\\.npy\\[${unmet[0]}\\]`));
  });

  it('reads a folder of greyscale PNG files', async () => {
    await setUp();
    const pngs = join(dir, 'pngs');
    await mkdir(pngs, { recursive: true });
    const x = blobImages(3, SIDE, new Rng(4));
    for (let i = 0; i < 3; i++) {
      const pixels = Uint8Array.from(x.data.subarray(i * 64, (i + 1) * 64), (v) =>
        Math.round(255 * v),
      );
      await writeGreyPng(join(pngs, `digit${i}.png`), { width: SIDE, height: SIDE, pixels });
    }
    const r = obfuscateFiles({ out: join(dir, 'png-out'), inputs: pngs }, '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(jsonOf(r).count, 3);
  });

  it('refuses bad input with exit 2 and one line', async () => {
    await setUp();
    const out = join(dir, 'bad');
    const wrong = join(dir, 'wrong.npy');
    await writeNpy(wrong, { rows: 2, cols: 7, data: new Float64Array(14).fill(1) });
    assertUsageError(
      obfuscateFiles({ out, basis: wrong }),
      /7 columns but the model takes 64 inputs/,
    );
    assertUsageError(
      obfuscateFiles({ out, inputs: wrong }),
      /inputs of 7 values but the model takes 64/,
    );
    assertUsageError(obfuscate(out, '--box', '1:0'), /--box 1:0: expected LO:HI/);
    assertUsageError(obfuscate(out, '--scale', '-1'), /--scale -1/);
    assertUsageError(obfuscate(out, '--image-shape', '4,4'), /--image-shape 4,4: 16 pixels/);
    assertUsageError(obfuscate(out, '--access', 'label'), /needs --access scores/);
    assertUsageError(
      obfuscateFiles({ out, inputs: join(dir, 'missing.npy') }),
      /missing\.npy: no such file/,
    );
    assertUsageError(
      runCli(['obfuscate', '--model', `onnx:${net}`]),
      /obfuscate needs --model SPEC, --basis/,
    );
  });
});
