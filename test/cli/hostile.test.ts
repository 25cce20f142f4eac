import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.js';
import { assertUsageError, FIXTURES, jsonOf, runCli } from './runCli.js';

const dir = tempDir();
const onnx = join(dir, 'net.onnx');
const good = join(FIXTURES, 'npy', 'f8_2d.npy');

test('make a small net for the cases below', () => {
  const r = runCli(['make-net', '--n', '6', '--k', '3', '--widths', '4', '--out', onnx]);
  assert.equal(r.code, 0, r.stderr);
});

const recover = (out: string, ...extra: string[]) =>
  runCli(['recover', '--model', `onnx:${onnx}`, '--out', out, '--json', ...extra]);

test('--out that cannot take files is refused before any query, and quickly', () => {
  // /proc/self/x made Node's recursive mkdir spin forever; /proc/self exists but takes no files.
  assertUsageError(recover('/proc/self/x'), /--out \/proc\/self\/x: cannot create the directory/);
  assertUsageError(recover('/proc/self'), /--out \/proc\/self: cannot write results there/);
  const file = join(dir, 'a-file');
  writeFileSync(file, '');
  assertUsageError(recover(join(file, 'sub')), /a-file.*a parent is not a folder/);
});

test('results replace planted symlinks instead of writing through them', () => {
  const out = join(dir, 'out-symlinks');
  mkdirSync(out);
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'keep me');
  symlinkSync(victim, join(out, 'result.json'));
  symlinkSync(victim, join(out, 'basis.npy'));
  const r = recover(out);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(victim, 'utf8'), 'keep me');
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')), jsonOf(r));
});

test("a failed run leaves no earlier run's results behind", () => {
  const out = join(dir, 'out-stale');
  assert.equal(recover(out).code, 0);
  assert.ok(existsSync(join(out, 'result.json')));
  assertUsageError(recover(out, '--input-dim', '7'), /--input-dim 7/);
  assert.ok(!existsSync(join(out, 'result.json')), 'the old result.json is still there');
  assert.ok(!existsSync(join(out, 'basis.npy')), 'the old basis.npy is still there');
});

test('compare refuses devices and FIFOs instead of reading forever or hanging', () => {
  assertUsageError(runCli(['compare', '/dev/zero', good]), /\/dev\/zero: not a regular file/);
  const fifo = join(dir, 'fifo.npy');
  execFileSync('mkfifo', [fifo]);
  assertUsageError(runCli(['compare', good, fifo]), /fifo\.npy: not a regular file/);
  assertUsageError(runCli(['compare', good, dir]), /is a directory/);
});

test('make-net: oversized shapes and unwritable paths are bad input (exit 2)', () => {
  const big = ['make-net', '--n', '100000', '--k', '100000', '--out', join(dir, 'big.onnx')];
  assertUsageError(
    runCli(big),
    /100000 → 100000 → 64 → 32 → 1 has \d+ weights, more than the 50000000 allowed/,
  );
  const nowhere = ['make-net', '--n', '4', '--k', '2', '--out', join(dir, 'no', 'such', 'x.onnx')];
  assertUsageError(runCli(nowhere), /x\.onnx: no such directory/);
});

test('--timeout: a stalled model fails after the given seconds, naming the request', () => {
  const started = Date.now();
  const stalled = `cmd:sh ${join(FIXTURES, 'cmd', 'hang.sh')} ${join(dir, 'hang.pid')}`;
  const r = runCli([
    ...['recover', '--model', stalled, '--input-dim', '3', '--timeout', '0.5'],
    ...['--out', join(dir, 'out-timeout')],
  ]);
  assertUsageError(r, /no answer to request 1 within 0\.5 s/);
  assert.ok(Date.now() - started < 60_000);
  assertUsageError(runCli(['recover', '--model', stalled, '--timeout', '0']), /--timeout 0/);
});

test("control characters in a model's error text or stderr reach our stderr escaped", () => {
  const outDir = ['--input-dim', '3', '--out', join(dir, 'out-esc')];
  const errorAnswer = `cmd:read line; printf '%s\\n' '{"error": "\\u001b[2Jspanrec: done"}'`;
  const viaAnswer = runCli(['recover', '--model', errorAnswer, ...outDir]);
  const viaStderr = runCli([
    ...['recover', '--model', `cmd:printf '\\033[31mred\\007' >&2; exit 4`],
    ...outDir,
  ]);
  for (const r of [viaAnswer, viaStderr]) {
    assert.notEqual(r.code, 0);
    // eslint-disable-next-line no-control-regex -- checking for control characters
    assert.doesNotMatch(r.stderr, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, r.stderr);
  }
  assert.match(viaAnswer.stderr, /\\x1b\[2Jspanrec: done/);
  assert.match(viaStderr.stderr, /\\x1b\[31mred\\x07/);
});
