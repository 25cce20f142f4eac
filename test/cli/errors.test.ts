import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeNpy } from '../../src/io/npy.js';
import { tempDir } from '../helpers.js';
import { assertUsageError, FIXTURES, MAIN, runCli, type CliRun } from './runCli.js';

const dir = tempDir();
const onnx = join(dir, 'net.onnx');
const misbehave = (mode: string): string =>
  `cmd:python3 ${join(FIXTURES, 'cmd', 'misbehave.py')} ${mode}`;

test('make a small net for the error cases', () => {
  const r = runCli(['make-net', '--n', '6', '--k', '3', '--widths', '4', '--out', onnx]);
  assert.equal(r.code, 0, r.stderr);
});

const recover = (model: string, ...extra: string[]): CliRun =>
  runCli(['recover', '--model', model, '--out', join(dir, 'out'), '--json', ...extra]);

test('missing or corrupt ONNX files', () => {
  assertUsageError(recover(`onnx:${join(dir, 'nope.onnx')}`), /nope\.onnx/);
  const corrupt = join(dir, 'corrupt.onnx');
  writeFileSync(corrupt, 'this is not a protobuf');
  assertUsageError(recover(`onnx:${corrupt}`), /corrupt\.onnx/);
});

test('missing or corrupt .npy files in compare and certify', () => {
  const good = join(FIXTURES, 'npy', 'f8_2d.npy');
  assertUsageError(runCli(['compare', good, join(dir, 'missing.npy')]), /missing\.npy/);
  assertUsageError(
    runCli(['compare', good, join(FIXTURES, 'npy', 'bad_magic.npy')]),
    /bad_magic\.npy/,
  );
  assertUsageError(
    runCli(['compare', good, join(FIXTURES, 'npy', 'truncated_data.npy')]),
    /truncated_data\.npy/,
  );
  assertUsageError(
    runCli(['certify', '--model', `onnx:${onnx}`, '--basis', join(FIXTURES, 'npy', 'object.npy')]),
    /object\.npy/,
  );
});

test('cmd: programs that exit, print junk, send wrong rows or NaN', () => {
  assertUsageError(recover(misbehave('crash'), '--input-dim', '6'), /exited|closed/);
  assertUsageError(recover(misbehave('junk'), '--input-dim', '6'), /JSON|junk|parse/i);
  assertUsageError(recover(misbehave('wrong-rows'), '--input-dim', '6'), /rows/);
  assertUsageError(recover(misbehave('ragged'), '--input-dim', '6'), /length|entries|columns/);
  assertUsageError(recover(misbehave('nan'), '--input-dim', '6'), /NaN/);
  assertUsageError(recover(misbehave('error'), '--input-dim', '6'), /error/i);
});

test('bad flags', () => {
  assertUsageError(runCli(['recover']), /--model/);
  assertUsageError(recover(`onnx:${onnx}`, '--access', 'score'), /--access/);
  assertUsageError(recover(`onnx:${onnx}`, '--access', 'score:7'), /only 1 outputs/);
  assertUsageError(
    recover(`onnx:${onnx}`, '--method', 'gradient', '--access', 'label'),
    /--method gradient cannot work from --access label; use --method boundary/,
  );
  assertUsageError(recover(`onnx:${onnx}`, '--budget', '-5'), /--budget/);
  assertUsageError(recover(`onnx:${onnx}`, '--method', 'magic'), /--method/);
  assertUsageError(recover('cmd:cat'), /--input-dim/);
  assertUsageError(recover('tcp://x'), /--model/);
  assertUsageError(runCli(['recover', '--model', `onnx:${onnx}`, '--bogus']), /bogus/);
  assertUsageError(runCli(['frobnicate']), /frobnicate/);
  assertUsageError(
    runCli(['make-net', '--n', '4', '--k', '9', '--rank', '8', '--out', join(dir, 'x.onnx')]),
    /--rank/,
  );
});

test('make-net: unwritable --out or --truth, inconsistent lookalike flags', () => {
  const make = (...extra: string[]): CliRun =>
    runCli(['make-net', '--n', '6', '--k', '3', '--widths', '4', ...extra]);
  assertUsageError(
    make('--out', '/nonexistent/x.onnx'),
    /\/nonexistent\/x\.onnx: no such directory/,
  );
  assertUsageError(make('--out', dir), /is a directory/);
  assertUsageError(
    make('--out', join(dir, 'ok.onnx'), '--truth', '/nonexistent/A.npy'),
    /\/nonexistent\/A\.npy: no such directory/,
  );
  assertUsageError(make('--out', join(dir, 'y.onnx'), '--input-shape', '1,16,96'), /--n is 6/);
  assertUsageError(make('--out', join(dir, 'y.onnx'), '--head', 'softmax'), /--outputs/);
});

test('compare of matrices with different column counts', () => {
  const a = join(FIXTURES, 'npy', 'f8_2d.npy');
  const b = join(FIXTURES, 'npy', 'f8_tall.npy');
  assertUsageError(runCli(['compare', a, b]), /columns/);
});

test('a bad --out is refused before any query; NaN matrices and huge --moves are bad input', async () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  assertUsageError(recover(`onnx:${onnx}`, '--out', ''), /--out/);
  assertUsageError(
    runCli(['recover', '--model', `onnx:${onnx}`, '--out', join(file, 'sub')]),
    /cannot create the directory/,
  );
  const nan = join(dir, 'nan.npy');
  await writeNpy(nan, { rows: 1, cols: 2, data: Float64Array.of(NaN, 1) });
  assertUsageError(runCli(['compare', nan, nan]), /nan\.npy: entry \(0, 0\) is NaN/);
  assertUsageError(
    runCli(['certify', '--model', `onnx:${onnx}`, '--basis', nan, '--moves', '100000000']),
    /--moves/,
  );
});

test('a rank-0 basis (budget spent at once) is written and read back', () => {
  const out = join(dir, 'tiny');
  const r = runCli(['recover', '--model', `onnx:${onnx}`, '--budget', '3', '--out', out]);
  assert.equal(r.code, 3, r.stderr);
  const c = runCli(['compare', join(out, 'basis.npy'), join(out, 'basis.npy'), '--json']);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(JSON.parse(c.stdout).dimA, 0);
});

test('a reader that closes stdout early gets one line on stderr, not a stack', () => {
  const good = join(FIXTURES, 'npy', 'f8_2d.npy');
  // The reader closes its end at once and lingers, so the write meets a closed pipe (EPIPE).
  const script = `"${process.execPath}" --import tsx "${MAIN}" compare "${good}" "${good}" --json | (exec 0<&-; sleep 2); echo "exit \${PIPESTATUS[0]}" >&2`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 60_000 });
  const lines = r.stderr.trimEnd().split('\n');
  assert.deepEqual(lines, [
    'spanrec: stdout was closed before the output was written (EPIPE)',
    'exit 1',
  ]);
});

test('an input too long to hold in memory is refused before any query', () => {
  assertUsageError(
    runCli([
      'recover',
      '--model',
      'cmd:cat',
      '--input-dim',
      '100000000',
      '--out',
      join(dir, 'huge'),
    ]),
    /100000000 inputs; at most \d+ fit in memory/,
  );
});
