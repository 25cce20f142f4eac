import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.js';
import { isAlive } from '../oracle/processes.js';
import { FIXTURES, MAIN } from './runCli.js';

/** Seconds of each slow answer: long enough that a signal arrives mid-run. */
const ANSWER_DELAY_SECONDS = 0.2;
/**
 * Rows the model has answered once the method surely holds its first batch of points (n = 40,
 * k = 30: a 4-row precision probe, 336 rows of points, then the next batch's first 256-row
 * request): interrupted then, the method has points to write. (The model writes its count just
 * before its answer, so the count alone does not prove that the answer arrived.)
 */
const SECOND_BATCH_STARTED_ROWS = 596;

const dir = tempDir();
const r = spawnSync('python3', [
  join(FIXTURES, 'cmd', 'make_mlp.py'),
  ...['--n', '40', '--k', '30', '--seed', '4'],
  dir,
]);
assert.equal(r.status, 0, r.stderr?.toString());

async function waitFor(what: string, ok: () => boolean, seconds = 30): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const countOf = (file: string): number =>
  existsSync(file) ? Number(readFileSync(file, 'utf8').trim() || 0) : 0;

/**
 * Start `recover` on a slow model that also leaves a background child, send `signal` once
 * some points are answered, and return the exit code, the out folder and the child's pid.
 */
async function interruptRun(signal: NodeJS.Signals, name: string) {
  const out = join(dir, `out-${name}`);
  const countFile = join(dir, `${name}.count`);
  const pidFile = join(dir, `${name}.pid`);
  const server =
    `python3 ${join(FIXTURES, 'cmd', 'mlp_server.py')} ${join(dir, 'weights.npz')} ` +
    `--count-file ${countFile} --delay ${ANSWER_DELAY_SECONDS}`;
  const model = `cmd:sleep 60 & echo $! > ${pidFile}; exec ${server}`;
  const args = ['recover', '--model', model, '--input-dim', '40', '--out', out, '--quiet'];
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await waitFor('a first batch of points', () => countOf(countFile) >= SECOND_BATCH_STARTED_ROWS);
  child.kill(signal);
  const code = await exited;
  return { code, out, stderr, backgroundPid: Number(readFileSync(pidFile, 'utf8')), countFile };
}

test('SIGHUP: partial results are written, exit 129, the model and its background child end', async () => {
  const run = await interruptRun('SIGHUP', 'hup');
  assert.equal(run.code, 129, run.stderr);
  assert.match(run.stderr, /interrupted \(SIGHUP\): stopping/);
  const result = JSON.parse(readFileSync(join(run.out, 'result.json'), 'utf8'));
  assert.equal(result.complete, false);
  assert.equal(result.stopReason, 'model-error');
  // Rows sent count, also those of the request in flight (at most one, of at most 256 rows).
  const evaluated = countOf(run.countFile);
  assert.ok(result.queries >= evaluated && result.queries <= evaluated + 256, `${result.queries}`);
  assert.ok(existsSync(join(run.out, 'basis.npy')));
  await waitFor('the background child to die', () => !isAlive(run.backgroundPid), 5);
});

test('SIGTERM: partial results are written and the exit code is 143', async () => {
  const run = await interruptRun('SIGTERM', 'term');
  assert.equal(run.code, 143, run.stderr);
  assert.equal(JSON.parse(readFileSync(join(run.out, 'result.json'), 'utf8')).complete, false);
});
