import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeReporter, PROGRESS_LINE_SECONDS } from '../../src/cli/progress.js';

/** What `run` writes to stderr, with stderr taken for a log file (not a terminal). */
function stderrOf(run: () => void): string[] {
  const write = process.stderr.write.bind(process.stderr);
  const tty = process.stderr.isTTY;
  const lines: string[] = [];
  process.stderr.isTTY = false;
  process.stderr.write = ((chunk: string) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    run();
  } finally {
    process.stderr.write = write;
    process.stderr.isTTY = tty;
  }
  return lines;
}

test('without a terminal, progress is a line every PROGRESS_LINE_SECONDS, none in a short run', () => {
  let ms = 0;
  const event = (done: number) => ({ phase: 'adaptive', done, total: 10, message: `rank ${done}` });
  const lines = stderrOf(() => {
    const reporter = makeReporter(false, () => ms);
    reporter.onProgress(event(1)); // at 0 s: the run has just begun
    ms = (PROGRESS_LINE_SECONDS - 1) * 1000;
    reporter.onProgress(event(2));
    ms = PROGRESS_LINE_SECONDS * 1000;
    reporter.onProgress(event(3));
    ms = (PROGRESS_LINE_SECONDS + 1) * 1000;
    reporter.onProgress(event(4));
    ms = 2 * PROGRESS_LINE_SECONDS * 1000;
    reporter.onProgress(event(5));
  });
  assert.deepEqual(lines, [
    'spanrec: adaptive 3/10 | rank 3\n',
    'spanrec: adaptive 5/10 | rank 5\n',
  ]);
});

test('--quiet prints no progress at all', () => {
  const lines = stderrOf(() => {
    const reporter = makeReporter(true, () => 1e9);
    reporter.onProgress({ phase: 'adaptive', done: 1, total: 2 });
    reporter.log('hello');
  });
  assert.deepEqual(lines, []);
});
