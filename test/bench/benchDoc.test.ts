import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchDoc, mergeRowLines, rowKey, rowLinesOf, tableOf } from '../../bench/benchDoc.js';

/** A subset rerun of the bench replaces its rows in docs/BENCHMARKS.md and keeps the others. */

const row = (name: string, method: string, queries: number): string =>
  `| ${name} | ${method} | onnx-f64 | scores | 5 | 5 | 1.0e-9 | 1.0e-10 | ${queries} | 1.00 | 0.10 | 50 % | complete |`;

test('the rows of a table are read back from the doc it is written into', () => {
  const rows = [row('a', 'gradient', 1), row('a', 'adaptive', 2)];
  const doc = benchDoc(rows) + '\n<!-- section: serve -->\n| x | y |\n|---|---|\n| 1 | 2 |\n';
  assert.deepEqual(rowLinesOf(doc), rows, 'the owned section table is not read');
  assert.deepEqual(rowLinesOf(`> npm banner\n${tableOf(rows)}`), rows);
  assert.deepEqual(rowLinesOf('no table here'), []);
  assert.equal(rowKey(rows[1]), 'a | adaptive');
});

test('fresh rows replace their case and method, new ones go in case order, the rest stay', () => {
  const old = [row('a', 'gradient', 1), row('a', 'adaptive', 2), row('gone', 'boundary', 3)];
  const fresh = [row('b', 'boundary', 40), row('a', 'adaptive', 20)];
  const order = ['a | gradient', 'a | adaptive', 'b | boundary', 'c | boundary'];
  assert.deepEqual(mergeRowLines(old, fresh, order), [
    row('a', 'gradient', 1),
    row('a', 'adaptive', 20),
    row('b', 'boundary', 40),
  ]);
});
