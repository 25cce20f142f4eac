import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ResultsStore } from '../../src/experiments/resultsStore.js';
import { runMissing } from '../../src/experiments/runMissing.js';
import { tempDir } from '../helpers.js';

interface Run {
  readonly id: number;
  readonly value: number;
}
const keyOf = (r: { id: number }): string => `cell-${r.id}`;
const dir = tempDir();

describe('ResultsStore', () => {
  it('keeps what was appended across reopening', async () => {
    const path = join(dir, 'reopen.jsonl');
    const a = await ResultsStore.open<Run>(path, keyOf);
    await a.append({ id: 1, value: 10 });
    await a.append({ id: 2, value: 20 });
    const b = await ResultsStore.open<Run>(path, keyOf);
    assert.deepEqual(b.results(), [
      { id: 1, value: 10 },
      { id: 2, value: 20 },
    ]);
    assert.ok(b.has('cell-2'));
    assert.ok(!b.has('cell-3'));
  });

  it('cuts off a last line torn by an interruption, and appends in its place', async () => {
    const path = join(dir, 'torn.jsonl');
    writeFileSync(path, '{"id":1,"value":10}\n{"id":2,"val');
    const store = await ResultsStore.open<Run>(path, keyOf);
    assert.deepEqual(store.results(), [{ id: 1, value: 10 }]);
    await store.append({ id: 2, value: 20 });
    const again = await ResultsStore.open<Run>(path, keyOf);
    assert.deepEqual(
      again.results().map((r) => r.id),
      [1, 2],
    );
    assert.equal(readFileSync(path, 'utf8'), '{"id":1,"value":10}\n{"id":2,"value":20}\n');
  });

  it('refuses a damaged line in the middle: that is not an interruption', async () => {
    const path = join(dir, 'damaged.jsonl');
    writeFileSync(path, '{"id":1,"value":10}\nnot json\n{"id":2,"value":20}\n');
    await assert.rejects(ResultsStore.open<Run>(path, keyOf), /line 2 is not a results record/);
  });
});

describe('runMissing', () => {
  it('runs only the cells the store lacks, storing each as it ends', async () => {
    const path = join(dir, 'grid.jsonl');
    appendFileSync(path, '{"id":2,"value":-1}\n');
    const store = await ResultsStore.open<Run>(path, keyOf);
    const ran: number[] = [];
    const counts = await runMissing(
      [1, 2, 3].map((id) => ({ id })),
      keyOf,
      store,
      async (c) => {
        ran.push(c.id);
        return { id: c.id, value: 10 * c.id };
      },
    );
    assert.deepEqual(ran, [1, 3]);
    assert.deepEqual(counts, { ran: 2, skipped: 1 });
    const reopened = await ResultsStore.open<Run>(path, keyOf);
    assert.deepEqual(
      reopened.results().map((r) => r.value),
      [-1, 10, 30],
    );
  });

  it('stops between runs when aborted, keeping the runs that ended', async () => {
    const store = await ResultsStore.open<Run>(join(dir, 'abort.jsonl'), keyOf);
    const controller = new AbortController();
    const cells = [1, 2, 3, 4].map((id) => ({ id }));
    const run = async (c: { id: number }): Promise<Run> => {
      if (c.id === 2) controller.abort(new Error('stop'));
      return { id: c.id, value: c.id };
    };
    await assert.rejects(
      runMissing(cells, keyOf, store, run, { signal: controller.signal }),
      /stop/,
    );
    assert.deepEqual(
      store.results().map((r) => r.id),
      [1, 2],
    );
  });
});
