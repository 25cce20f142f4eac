import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { JOURNAL_ROWS_PER_REQUEST } from '../../src/oracle/journalOracle.js';
import { tempDir } from '../helpers.js';
import { assertUsageError, FIXTURES, jsonOf, MAIN, runCli } from './runCli.js';

/** Same queries, answers replayed byte for byte: the same basis to rounding. */
const SAME_BASIS_RAD = 1e-12;
/** Acceptance: an interrupted and resumed run pays at most 2 % more than an uninterrupted one. */
const MAX_EXTRA_PAID = 1.02;

const dir = tempDir();
const made = spawnSync('python3', [
  join(FIXTURES, 'cmd', 'make_mlp.py'),
  ...['--n', '40', '--k', '30', '--seed', '4'],
  dir,
]);
assert.equal(made.status, 0, made.stderr?.toString());
const countOf = (file: string): number =>
  existsSync(file) ? Number(readFileSync(file, 'utf8').trim() || 0) : 0;
/**
 * The same model command for every run (a resumed run must name the same model); the count
 * file and delay come from the environment, so each run's evaluated rows are kept apart.
 */
const MODEL =
  `cmd:exec python3 ${join(FIXTURES, 'cmd', 'mlp_server.py')} ${join(dir, 'weights.npz')} ` +
  '--count-file "$SPANREC_TEST_COUNT" --delay "$SPANREC_TEST_DELAY"';
const model = (countFile: string, delay = 0): string => {
  process.env.SPANREC_TEST_COUNT = countFile;
  process.env.SPANREC_TEST_DELAY = String(delay);
  return MODEL;
};
const args = (m: string, ...extra: string[]) => [
  'recover',
  '--model',
  m,
  '--input-dim',
  '40',
  '--json',
  ...extra,
];

test('kill -9 mid-run, then --resume: the same basis, each query paid once (in-flight rows aside)', async () => {
  const whole = runCli(args(model(join(dir, 'whole.count')), '--out', join(dir, 'whole')));
  assert.equal(whole.code, 0, whole.stderr);
  const wholeQueries = jsonOf(whole).queries as number;

  const out = join(dir, 'killed');
  const first = join(dir, 'first.count');
  const child = spawn(process.execPath, [
    '--import',
    'tsx',
    MAIN,
    ...args(model(first, 0.01), '--out', out),
  ]);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 60_000;
  while (countOf(first) < wholeQueries / 2) {
    assert.ok(Date.now() < deadline, 'the run did not get halfway');
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  await exited;
  assert.ok(!existsSync(join(out, 'result.json')));

  assertUsageError(
    runCli(args(model(join(dir, 'x.count')), '--out', out)),
    /unfinished run: continue it with --resume/,
  );
  assertUsageError(
    runCli(args(model(join(dir, 'x.count')), '--resume', out, '--seed', '2')),
    /journal is of another run/,
  );

  const second = join(dir, 'second.count');
  const resumed = runCli(args(model(second), '--resume', out));
  assert.equal(resumed.code, 0, resumed.stderr);
  const paid = jsonOf(resumed).queries as number;
  const evaluated = countOf(first) + countOf(second);
  assert.ok(
    paid >= evaluated && paid <= evaluated + JOURNAL_ROWS_PER_REQUEST,
    `${paid} vs ${evaluated}`,
  );
  assert.ok(paid <= MAX_EXTRA_PAID * wholeQueries, `${paid} > 1.02 × ${wholeQueries}`);
  const angle = runCli([
    'compare',
    join(out, 'basis.npy'),
    join(dir, 'whole', 'basis.npy'),
    '--json',
  ]);
  assert.ok((jsonOf(angle).maxAngle as number) < SAME_BASIS_RAD);
  // A finished run's journal gives way to a new run in the same folder.
  assert.equal(runCli(args(model(join(dir, 'y.count')), '--out', out)).code, 0);
});
