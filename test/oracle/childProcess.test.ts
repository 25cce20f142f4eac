import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  forgetGroup,
  killGroup,
  spawnGroup,
  STDERR_KEEP_LINES,
  StderrTail,
} from '../../src/oracle/childProcess.js';
import { isAlive } from './processes.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'cmd');
const HANG_SH = `sh ${join(fixtures, 'hang.sh')}`;

async function waitFor(condition: () => boolean, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

describe('StderrTail', () => {
  it('joins lines split across chunks, drops blank ones, shows an unfinished last line', () => {
    const tail = new StderrTail();
    tail.push('Traceback (most');
    tail.push(' recent call last):\n\n  File "x.py"\n   \nRuntimeE');
    assert.deepEqual(tail.lines, [
      'Traceback (most recent call last):',
      '  File "x.py"',
      'RuntimeE',
    ]);
    tail.push('rror: boom\n  ');
    assert.deepEqual(tail.lines, [
      'Traceback (most recent call last):',
      '  File "x.py"',
      'RuntimeError: boom',
    ]);
  });

  it(`keeps only the last ${STDERR_KEEP_LINES} lines`, () => {
    const tail = new StderrTail();
    for (let k = 0; k < 50; k++) tail.push(`line ${k}\n`);
    tail.push('partial');
    const expected = Array.from({ length: STDERR_KEEP_LINES - 1 }, (_, i) => `line ${31 + i}`);
    assert.deepEqual(tail.lines, [...expected, 'partial']);
  });

  it('bounds a line that never ends', () => {
    const tail = new StderrTail();
    for (let k = 0; k < 100; k++) tail.push('x'.repeat(1000));
    tail.push('the end');
    assert.equal(tail.lines.length, 1);
    assert.ok(tail.lines[0].length <= 64 * 1024, `${tail.lines[0].length} characters kept`);
    assert.ok(tail.lines[0].endsWith('the end'), 'the newest text is kept');
  });
});

describe('spawnGroup and killGroup', () => {
  it('a group kill reaches a grandchild the shell started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spanrec-child-'));
    const pidFile = join(dir, 'pid');
    try {
      const child = await spawnGroup(`${HANG_SH} ${pidFile}`, (err) => err);
      const closed = new Promise((resolve) => child.once('close', resolve));
      assert.ok(
        await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'), 5),
      );
      const grandchild = Number(readFileSync(pidFile, 'utf8'));
      assert.ok(isAlive(grandchild));
      killGroup(child);
      await closed;
      forgetGroup(child);
      assert.equal(child.signalCode, 'SIGKILL');
      assert.ok(await waitFor(() => !isAlive(grandchild), 2), 'the grandchild was not killed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
