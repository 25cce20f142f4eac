import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RUNS_FILE } from '../../src/cli/experiment.js';
import { docMarkers } from '../../src/cli/experimentOutputs.js';
import {
  gridCells,
  QUICK_GRID,
  RANDOM_EXPERIMENT,
  THRESHOLD_EXPERIMENT,
  THRESHOLD_QUICK_GRID,
} from '../../src/experiments/randomGrid.js';
import { tempDir } from '../helpers.js';
import { assertUsageError, jsonOf, MAIN, runCli } from './runCli.js';

const dir = tempDir();
const out = join(dir, 'quick');
/** Runs of the quick grid for one seed. */
const RUNS = gridCells(QUICK_GRID, 1, RANDOM_EXPERIMENT.methods).length;
const { begin: DOC_BEGIN, end: DOC_END } = docMarkers('random');
/** Runs stored before the interruption: some, but far from all. */
const INTERRUPT_AFTER_RUNS = 10;

const storedRuns = (): number =>
  existsSync(join(out, RUNS_FILE))
    ? readFileSync(join(out, RUNS_FILE), 'utf8')
        .split('\n')
        .filter((l) => l.endsWith('}')).length
    : 0;

async function waitFor(what: string, ok: () => boolean, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('spanrec experiment random', () => {
  it('stops on Ctrl-C keeping the finished runs, and a rerun does only the rest', async () => {
    const args = ['experiment', 'random', '--quick', '--seeds', '1', '--out', out];
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: 'pipe' });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await waitFor('some runs', () => storedRuns() >= INTERRUPT_AFTER_RUNS);
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /interrupted by SIGINT/);
    const stored = storedRuns();
    assert.ok(stored < RUNS, `stopped early: ${stored} of ${RUNS}`);

    const rerun = runCli([...args, '--json']);
    assert.equal(rerun.code, 0, rerun.stderr);
    const summary = jsonOf(rerun);
    assert.equal(summary.runs, RUNS);
    assert.equal(summary.skipped, stored);
    assert.equal(summary.ran, RUNS - stored);
    assert.equal(storedRuns(), RUNS, 'each run stored once');
  });

  it('writes the CSV, the JSON, the tables and the plots', () => {
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').trimEnd().split('\n');
    assert.equal(csv.length, RUNS + 1);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      quick: boolean;
      seeds: number;
      runs: unknown[];
    };
    assert.deepEqual([json.quick, json.seeds, json.runs.length], [true, 1, RUNS]);
    assert.match(readFileSync(join(out, 'tables.md'), 'utf8'), /### Full recovery/);
    for (const plot of ['max-angle-vs-width', 'rank-share-vs-width', 'queries-over-floor']) {
      assert.match(readFileSync(join(out, `${plot}.svg`), 'utf8'), /^<svg/);
    }
  });

  it('splices the tables into a document between its markers, and nothing else', () => {
    const doc = join(dir, 'RESULTS.md');
    writeFileSync(doc, `# Head\n\n${DOC_BEGIN}\nold tables\n${DOC_END}\n\nwritten text\n`);
    const r = runCli([
      'experiment',
      'random',
      '--quick',
      '--seeds',
      '1',
      '--out',
      out,
      '--doc',
      doc,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(doc, 'utf8');
    assert.ok(text.startsWith(`# Head\n\n${DOC_BEGIN}\n`));
    assert.ok(text.endsWith(`${DOC_END}\n\nwritten text\n`));
    assert.doesNotMatch(text, /old tables/);
    assert.ok(text.includes(readFileSync(join(out, 'tables.md'), 'utf8')));
  });

  it('refuses bad flags and a document without markers in one line', () => {
    assertUsageError(runCli(['experiment', 'random', '--seeds', '0']), /--seeds 0/);
    const doc = join(dir, 'plain.md');
    writeFileSync(doc, '# no markers\n');
    assertUsageError(
      runCli(['experiment', 'random', '--quick', '--seeds', '1', '--out', out, '--doc', doc]),
      /--doc .*plain\.md: no/,
    );
  });
});

describe('spanrec experiment threshold', () => {
  it('runs the bit grid with the boundary method and writes its own tables', () => {
    const bits = join(dir, 'bits');
    const r = runCli([
      'experiment',
      'threshold',
      '--quick',
      '--seeds',
      '1',
      '--out',
      bits,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const cells = gridCells(THRESHOLD_QUICK_GRID, 1, THRESHOLD_EXPERIMENT.methods);
    assert.equal(jsonOf(r).runs, cells.length);
    const json = JSON.parse(readFileSync(join(bits, 'results.json'), 'utf8')) as {
      experiment: string;
      runs: { method: string }[];
    };
    assert.equal(json.experiment, 'threshold');
    assert.ok(json.runs.every((run) => run.method === 'boundary'));
    const tables = readFileSync(join(bits, 'tables.md'), 'utf8');
    assert.match(tables, /\| claim \| boundary: holds\/runs \|\n/);
    assert.match(readFileSync(join(bits, 'queries-over-floor.svg'), 'utf8'), /boundary/);
  });
});
