import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RandomCellResult } from '../../src/experiments/randomCell.js';
import { randomPlots } from '../../src/experiments/randomPlots.js';
import {
  CSV_COLUMNS,
  FULL_RECOVERY_ANGLE_RAD,
  isFullRecovery,
  resultsCsv,
  resultsTables,
} from '../../src/experiments/randomTables.js';
import { renderSvg } from '../../src/plot/vegaLite.js';

/** A made-up run: full recovery of k = 10 unless the overrides say otherwise. */
function run(over: Partial<RandomCellResult>): RandomCellResult {
  return {
    n: 30,
    k: 10,
    depth: 2,
    width: 8,
    activation: 'relu',
    bias: true,
    deadUnits: 0,
    seed: 1,
    method: 'gradient',
    rank: 10,
    trueRank: 10,
    gradientRank: 10,
    maxAngleRad: 1e-9,
    queries: 500,
    queriesOverFloor: 2.3,
    complete: true,
    certificate: 'complete',
    stopReason: 'saturated',
    seconds: 0.1,
    ...over,
  };
}

describe('isFullRecovery', () => {
  it('needs the true rank and an angle within the tolerance', () => {
    assert.ok(isFullRecovery(run({})));
    assert.ok(!isFullRecovery(run({ rank: 9 })));
    assert.ok(!isFullRecovery(run({ rank: 11 })));
    assert.ok(isFullRecovery(run({ maxAngleRad: FULL_RECOVERY_ANGLE_RAD })));
    assert.ok(!isFullRecovery(run({ maxAngleRad: 2 * FULL_RECOVERY_ANGLE_RAD })));
  });
});

describe('resultsCsv', () => {
  it('writes a header and one row per run, every column in order', () => {
    const csv = resultsCsv([run({}), run({ seed: 2, rank: 7 })])
      .trimEnd()
      .split('\n');
    assert.equal(csv[0], CSV_COLUMNS.join(','));
    assert.equal(csv.length, 3);
    const second = Object.fromEntries(csv[2].split(',').map((v, i) => [CSV_COLUMNS[i], v]));
    assert.equal(second.seed, '2');
    assert.equal(second.rank, '7');
    assert.equal(second.maxAngleRad, '1e-9');
  });
});

describe('resultsTables', () => {
  const runs = [
    run({ width: 1, rank: 4, method: 'gradient', certificate: 'incomplete' }),
    run({ width: 1, method: 'adaptive' }),
    run({ width: 8 }),
    run({ width: 8, method: 'adaptive' }),
    run({ deadUnits: 3, trueRank: 7, rank: 7, width: 64 }),
  ];
  const tables = resultsTables(runs, ['gradient', 'adaptive']);

  it('counts full recoveries per width and method (gradient · adaptive)', () => {
    assert.match(tables, /\| relu \| 0\/1 · 1\/1 \| 1\/1 · 1\/1 \|/);
  });

  it('sorts the runs that fall short by kind of miss, with the certificates they got', () => {
    assert.match(
      tables,
      /\| rank < true rank; exact gradients at N\(0, I\) show more \| 1: 1 incomplete \| 0 \|/,
    );
    assert.match(tables, /\| rank > true rank \(an extra direction\) \| 0 \| 0 \|/);
  });

  it('gives queries ÷ floor per activation and shape over the full recoveries', () => {
    assert.match(tables, /\| relu \| 30 \| 10 \| gradient \| 1 \| 2\.30 \| 2\.30–2\.30 \|/);
  });

  it('keeps the dead-unit nets out of the grid tables and reports them against k − D', () => {
    assert.doesNotMatch(tables, /width 64/);
    assert.match(tables, /\| 3 \| relu \| gradient \| 10 − 3 = 7 \| 7 \| 1\/1 \| 1 complete \|/);
  });
});

describe('randomPlots', () => {
  it('renders every plot to SVG from the inline runs', async () => {
    const plots = randomPlots(
      [run({}), run({ method: 'adaptive', width: 1, maxAngleRad: 0 })],
      ['gradient', 'adaptive'],
    );
    assert.deepEqual(
      plots.map((p) => p.name),
      ['max-angle-vs-width', 'rank-share-vs-width', 'queries-over-floor'],
    );
    for (const p of plots) {
      const svg = await renderSvg(p.spec);
      assert.match(svg, /^<svg/);
      assert.match(svg, /relu/);
    }
  });
});
