import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNpyMatrix } from '../../src/io/npy.js';
import { compareSubspaces } from '../../src/linalg/principalAngles.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { tempDir } from '../helpers.js';
import { assertUsageError, FIXTURES, jsonOf, runCli } from './runCli.js';

/**
 * Unseen black boxes over `cmd:` that give out only a decision (fixtures/cmd/decision_box.mjs):
 * the box draws its own tanh network and answers a bit (one output, 0 or 1) or a label
 * (one-hot); the tool sees neither weights nor scores and must recover the first layer's span.
 */

/** Bits carry less than scores: the acceptance bound for bit and label access at this size. */
const DECISION_MAX_ANGLE = 1e-4;

const BOX = join(FIXTURES, 'cmd', 'decision_box.mjs');
const dir = tempDir();

const boxCommand = (flags: string) => `"${process.execPath}" "${BOX}" ${flags}`;

/** The box's first layer, as it writes it on request (the tool never asks for it). */
function boxWeights(flags: string): Matrix {
  const path = join(dir, 'weights.json');
  const r = spawnSync(process.execPath, [BOX, ...flags.split(' '), '--write-weights', path]);
  assert.equal(r.status, 0, String(r.stderr));
  const w = JSON.parse(readFileSync(path, 'utf8')) as {
    rows: number;
    cols: number;
    data: number[];
  };
  return { rows: w.rows, cols: w.cols, data: Float64Array.from(w.data) };
}

async function recoverFromBox(flags: string, n: number, access: string, k: number) {
  const out = join(dir, access.replace(/:/g, '_'));
  const r = runCli([
    'recover',
    ...['--model', `cmd:${boxCommand(flags)}`, '--input-dim', String(n)],
    ...['--access', access, '--out', out, '--json'],
  ]);
  assert.equal(r.code, 0, r.stderr);
  const json = jsonOf(r);
  assert.equal(json.method, 'boundary');
  assert.equal(json.rank, k);
  assert.equal(json.complete, true);
  const basis = await readNpyMatrix(join(out, 'basis.npy'));
  const angle = compareSubspaces(basis, boxWeights(flags)).maxAngle;
  assert.ok(angle < DECISION_MAX_ANGLE, `max angle ${angle}`);
}

test('a box that answers only a bit (0 or 1): --access threshold:0:0.5 recovers its span', async () => {
  await recoverFromBox('--mode bit --n 30 --k 6 --seed 5', 30, 'threshold:0:0.5', 6);
});

test('a box that answers only its label, one-hot: --access label recovers its span', async () => {
  await recoverFromBox('--mode label --n 40 --k 8 --outputs 4 --seed 6', 40, 'label', 8);
});

test('a box that answers its label as one number is refused with --access label', () => {
  const r = runCli([
    'recover',
    ...['--model', `cmd:${boxCommand('--mode label-index --n 10 --k 2 --outputs 4')}`],
    ...['--input-dim', '10', '--access', 'label', '--out', join(dir, 'index')],
  ]);
  assertUsageError(r, /--access label: the model has only 1 output.*one-hot/);
});
