import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_CERTIFY_MOVES, ROWS_PER_MOVE } from '../../src/recover/certificate.js';
import { readNpyMatrix, writeNpy } from '../../src/io/npy.js';
import { tempDir } from '../helpers.js';
import { jsonOf, runCli } from './runCli.js';

test('certify: the recovered basis is complete, a truncated one is not', async () => {
  const dir = tempDir();
  const net = join(dir, 'net.onnx');
  assert.equal(
    runCli(['make-net', '--n', '40', '--k', '12', '--widths', '16', '--out', net]).code,
    0,
  );
  const rec = runCli(['recover', '--model', `onnx:${net}`, '--out', dir, '--quiet']);
  assert.equal(rec.code, 0, rec.stderr);
  assert.equal(rec.stderr, '', '--quiet prints nothing');

  const full = runCli([
    'certify',
    '--model',
    `onnx:${net}`,
    '--basis',
    join(dir, 'basis.npy'),
    '--json',
  ]);
  assert.equal(full.code, 0, full.stderr);
  const c = jsonOf(full);
  assert.equal(c.verdict, 'complete');
  assert.equal(c.queries, ROWS_PER_MOVE * DEFAULT_CERTIFY_MOVES);

  const basis = await readNpyMatrix(join(dir, 'basis.npy'));
  const cut = join(dir, 'cut.npy');
  await writeNpy(cut, { rows: 6, cols: basis.cols, data: basis.data.slice(0, 6 * basis.cols) });
  const partial = runCli(['certify', '--model', `onnx:${net}`, '--basis', cut, '--json']);
  assert.equal(partial.code, 0, partial.stderr);
  assert.equal(jsonOf(partial).verdict, 'incomplete');

  const wrong = join(dir, 'wrong.npy');
  await writeNpy(wrong, { rows: 2, cols: 7, data: new Float64Array(14).fill(1) });
  const bad = runCli(['certify', '--model', `onnx:${net}`, '--basis', wrong]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /7 columns but the model takes 40 inputs/);
});
