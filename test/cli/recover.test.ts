import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readNpyMatrix } from '../../src/io/npy.js';
import { orthonormalRows } from '../../src/linalg/orthonormal.js';
import { JOURNAL_ROWS_PER_REQUEST } from '../../src/oracle/journalOracle.js';
import { tempDir } from '../helpers.js';
import { FIXTURES, jsonOf, runCli } from './runCli.js';

/** Acceptance: float64 ReLU nets recover to better than 1e-7 rad. */
const F64_ONNX_MAX_ANGLE = 1e-7;
/** Acceptance: an unseen float64 black box over cmd: recovers to better than 1e-6 rad. */
const CMD_MAX_ANGLE = 1e-6;
/** basis.npy rows are orthonormal to rounding. */
const ORTHONORMAL_TOL = 1e-12;

const dir = tempDir();

function makeNet(name: string, extra: string[]): string {
  const r = runCli([
    'make-net',
    ...['--n', '100', '--k', '50', '--widths', '64,64', '--seed', '3'],
    ...extra,
    ...['--out', join(dir, `${name}.onnx`), '--truth', join(dir, `${name}.A.npy`)],
  ]);
  assert.equal(r.code, 0, r.stderr);
  return name;
}

function compare(a: string, b: string): { maxAngle: number; dimA: number; dimB: number } {
  const r = runCli(['compare', a, b, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return jsonOf(r) as { maxAngle: number; dimA: number; dimB: number };
}

test('float64 ONNX ReLU net (n=100, k=50, 64,64, biases): rank 50, max angle < 1e-7', async () => {
  const net = makeNet('f64', ['--dtype', 'f64']);
  const out = join(dir, 'out-f64');
  const r = runCli([
    'recover',
    '--model',
    `onnx:${join(dir, 'f64.onnx')}`,
    '--method',
    'gradient',
    '--out',
    out,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const json = jsonOf(r);
  assert.equal(json.rank, 50);
  assert.equal(json.inputDim, 100);
  assert.equal(json.method, 'gradient');
  assert.equal(json.access, 'scores');
  assert.equal(json.complete, true);
  assert.ok(Array.isArray(json.singularValues));
  assert.equal(typeof json.seconds, 'number');
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')), json);
  const basis = await readNpyMatrix(join(out, 'basis.npy'));
  assert.equal(basis.rows, 50);
  assert.equal(basis.cols, 100);
  const again = orthonormalRows(basis);
  assert.equal(again.rows, 50);
  for (let i = 0; i < 50; i++) {
    let s = 0;
    for (let j = 0; j < 100; j++) s += basis.data[i * 100 + j] ** 2;
    assert.ok(Math.abs(s - 1) < ORTHONORMAL_TOL);
  }
  const c = compare(join(out, 'basis.npy'), join(dir, `${net}.A.npy`));
  assert.ok(c.maxAngle < F64_ONNX_MAX_ANGLE, `max angle ${c.maxAngle}`);
});

test('float32 ONNX net of the same shape: rank 50, spectrum reported', () => {
  makeNet('f32', ['--dtype', 'f32']);
  const out = join(dir, 'out-f32');
  const r = runCli(['recover', '--model', `onnx:${join(dir, 'f32.onnx')}`, '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const json = jsonOf(r);
  assert.equal(json.rank, 50);
  assert.equal(json.method, 'adaptive', 'auto picks the adaptive method for scores');
  const s = json.singularValues as number[];
  assert.ok(s.length >= 50, 'the spectrum the rank was read from');
  assert.ok(
    s.every((v, i) => i === 0 || v <= s[i - 1]),
    'descending',
  );
});

test('rank-deficient first layer is reported with its true rank', () => {
  const net = makeNet('def', ['--rank', '20']);
  const out = join(dir, 'out-def');
  const r = runCli(['recover', '--model', `onnx:${join(dir, 'def.onnx')}`, '--out', out, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(jsonOf(r).rank, 20);
  const c = compare(join(out, 'basis.npy'), join(dir, `${net}.A.npy`));
  assert.equal(c.dimB, 20, 'compare measures the rank of A itself');
  assert.ok(c.maxAngle < F64_ONNX_MAX_ANGLE, `max angle ${c.maxAngle}`);
});

test('unseen float64 black box over cmd: (n=200, k=60, 128,64, 3 outputs): rank 60, angle < 1e-6, exact query count', () => {
  const box = join(dir, 'box');
  const made = spawnSync('python3', [
    join(FIXTURES, 'cmd', 'make_mlp.py'),
    ...['--n', '200', '--k', '60', '--widths', '128,64', '--outputs', '3', '--seed', '11', box],
  ]);
  assert.equal(made.status, 0, String(made.stderr));
  const countFile = join(box, 'count.txt');
  const server = `python3 ${join(FIXTURES, 'cmd', 'mlp_server.py')} ${join(box, 'weights.npz')} --count-file ${countFile}`;
  const out = join(dir, 'out-box');
  const r = runCli([
    'recover',
    '--model',
    `cmd:${server}`,
    '--input-dim',
    '200',
    '--out',
    out,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const json = jsonOf(r);
  assert.equal(json.rank, 60);
  assert.equal(json.queries, Number(readFileSync(countFile, 'utf8').trim()));
  const c = compare(join(out, 'basis.npy'), join(box, 'A.npy'));
  assert.ok(c.maxAngle < CMD_MAX_ANGLE, `max angle ${c.maxAngle}`);

  // One score of the same box, on a budget that cannot finish: exit 3, partial results kept.
  const out2 = join(dir, 'out-box-budget');
  const r2 = runCli([
    ...['recover', '--model', `cmd:${server}`, '--input-dim', '200', '--access', 'score:1'],
    ...['--budget', '3000', '--out', out2, '--json'],
  ]);
  assert.equal(r2.code, 3, r2.stderr);
  const partial = jsonOf(r2);
  assert.equal(partial.complete, false);
  assert.ok((partial.queries as number) <= 3000);
  assert.ok((partial.rank as number) > 0 && (partial.rank as number) < 60);
  assert.equal(JSON.parse(readFileSync(join(out2, 'result.json'), 'utf8')).rank, partial.rank);
});

/**
 * Requests the box answers before dying: the 4-row precision probe, then 32-row journaled
 * requests; by the 17th the method has measured points and found directions.
 */
const DIE_AFTER_REQUESTS = 1 + 2 * (256 / JOURNAL_ROWS_PER_REQUEST);

test('a black box that dies mid-run: one-line error, exit 2, partial results kept', () => {
  const box = join(dir, 'box-dies');
  const made = spawnSync('python3', [
    join(FIXTURES, 'cmd', 'make_mlp.py'),
    ...['--n', '30', '--k', '10', '--widths', '16', '--seed', '2', box],
  ]);
  assert.equal(made.status, 0, String(made.stderr));
  const countFile = join(box, 'count.txt');
  const server = `python3 ${join(FIXTURES, 'cmd', 'mlp_server.py')} ${join(box, 'weights.npz')} --count-file ${countFile} --die-after ${DIE_AFTER_REQUESTS}`;
  const out = join(dir, 'out-dies');
  const r = runCli(['recover', '--model', `cmd:${server}`, '--input-dim', '30', '--out', out]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /exited with code 5.*partial results/);
  const partial = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  assert.equal(partial.complete, false);
  assert.equal(partial.stopReason, 'model-error');
  // Rows count as they are delivered: the request the box read and died on counts for us (it
  // reached the model), not in the box's tally of rows it evaluated; later requests of the
  // same batch were never sent and do not count.
  const evaluated = Number(readFileSync(countFile, 'utf8').trim());
  assert.ok(partial.queries > evaluated, `${partial.queries} vs ${evaluated}`);
  assert.ok(
    partial.queries - evaluated <= JOURNAL_ROWS_PER_REQUEST,
    'at most one request was lost',
  );
  assert.ok(partial.rank > 0);
});

/** Acceptance of the adaptive method on float64 (n = 784, k = 128, widths 256,256, one score). */
const ADAPTIVE_F64_MAX_ANGLE = 1e-8;
const ADAPTIVE_F64_MAX_FLOOR_RATIO = 1.15;

test('adaptive, float64 n=784, k=128, score:0: rank 128, max angle ≤ 1e-8, queries ≤ 1.15 × floor', () => {
  const r = runCli([
    'make-net',
    ...['--n', '784', '--k', '128', '--widths', '256,256', '--seed', '1', '--dtype', 'f64'],
    ...['--out', join(dir, 'big.onnx'), '--truth', join(dir, 'big.A.npy')],
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = join(dir, 'out-big');
  const run = runCli([
    'recover',
    ...['--model', `onnx:${join(dir, 'big.onnx')}`, '--access', 'score:0', '--out', out, '--json'],
  ]);
  assert.equal(run.code, 0, run.stderr);
  const json = jsonOf(run);
  assert.equal(json.method, 'adaptive');
  assert.equal(json.rank, 128);
  const floor = 128 * (784 - 128) + 128;
  assert.ok((json.queries as number) <= ADAPTIVE_F64_MAX_FLOOR_RATIO * floor, `${json.queries}`);
  const c = compare(join(out, 'basis.npy'), join(dir, 'big.A.npy'));
  assert.ok(c.maxAngle <= ADAPTIVE_F64_MAX_ANGLE, `max angle ${c.maxAngle}`);
});

test('builtin:mnist with --budget 2000: runs and writes its (partial) result, exit 0 or 3', async () => {
  const out = join(dir, 'out-mnist');
  const r = runCli(['recover', '--model', 'builtin:mnist', '--budget', '2000', '--out', out]);
  assert.ok(r.code === 0 || r.code === 3, `exit ${r.code}: ${r.stderr}`);
  const json = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  assert.equal(json.inputDim, 784);
  assert.ok(json.queries <= 2000, `${json.queries} queries`);
  assert.equal(json.complete, r.code === 0);
  const basis = await readNpyMatrix(join(out, 'basis.npy'));
  assert.deepEqual([basis.rows, basis.cols], [json.rank, 784]);
});
