import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { docMarkers, RUNS_FILE } from '../../src/cli/experimentOutputs.js';
import type { RandomCellResult } from '../../src/experiments/randomCell.js';
import {
  cellKey,
  DEFAULT_SEEDS,
  gridCells,
  RANDOM_EXPERIMENT,
  THRESHOLD_EXPERIMENT,
} from '../../src/experiments/randomGrid.js';
import { resultsTables } from '../../src/experiments/randomTables.js';
import type { MnistCellResult } from '../../src/experiments/mnistCell.js';
import { mnistResultsTables } from '../../src/experiments/mnistTables.js';

/**
 * docs/RESULTS.md shows what its commands write: the tables between each experiment's markers
 * are those the committed runs give today (a change to the tables' code, or runs added by hand,
 * shows here until the command is rerun).
 */

const doc = readFileSync('docs/RESULTS.md', 'utf8');

/** The runs a results folder holds, in the order they were stored. */
function storedRuns<R>(folder: string): R[] {
  return readFileSync(join(folder, RUNS_FILE), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as R);
}

/** Assert that `tables` are the folder's tables.md and the document's section for `name`. */
function assertShown(name: string, folder: string, tables: string): void {
  assert.equal(readFileSync(join(folder, 'tables.md'), 'utf8'), tables);
  const markers = docMarkers(name);
  const begin = doc.indexOf(markers.begin);
  const end = doc.indexOf(markers.end);
  assert.ok(begin >= 0 && end > begin, 'the markers');
  assert.equal(doc.slice(begin + markers.begin.length, end).trim(), tables.trim());
}

for (const [experiment, folder] of [
  [RANDOM_EXPERIMENT, 'docs/results'],
  [THRESHOLD_EXPERIMENT, 'docs/results/threshold'],
] as const) {
  describe(`docs/RESULTS.md: experiment ${experiment.name}`, () => {
    const runs = storedRuns<RandomCellResult>(folder);
    const cells = gridCells(experiment.full, DEFAULT_SEEDS.full, experiment.methods);

    it('holds a run for every cell of the full grid, and only those', () => {
      const stored = new Set(runs.map(cellKey));
      assert.equal(stored.size, runs.length, 'each run once');
      assert.deepEqual([...stored].sort(), cells.map(cellKey).sort());
    });

    it('shows the tables those runs give, as tables.md does', () => {
      assertShown(experiment.name, folder, resultsTables(runs, experiment.methods));
    });
  });
}

describe('docs/RESULTS.md: experiment mnist', () => {
  it('shows the tables its committed runs give, as tables.md does', () => {
    const folder = 'docs/results/mnist';
    assertShown('mnist', folder, mnistResultsTables(storedRuns<MnistCellResult>(folder)));
  });
});
