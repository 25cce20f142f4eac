import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orthonormalRows } from '../../src/linalg/orthonormal.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { randomNetwork } from '../../src/nets/randomNetwork.js';
import { NetworkOracle } from '../../src/oracle/networkOracle.js';
import { Rng } from '../../src/random/rng.js';
import { runMnistCell, type MnistCellResult } from '../../src/experiments/mnistCell.js';
import {
  BOX_SOURCES,
  FULL_MNIST_GRID,
  medianLogitThreshold,
  mnistCellKey,
  mnistGridCells,
  TRUE_BASIS,
  type MnistCell,
} from '../../src/experiments/mnistGrid.js';
import { mnistPlots } from '../../src/experiments/mnistPlots.js';
import {
  meanObfuscation,
  mnistObfuscationCsv,
  mnistResultsCsv,
  mnistResultsTables,
  PLAIN_NOISE,
} from '../../src/experiments/mnistTables.js';

/** A float64 recovery from all scores of a small ReLU net: rounding-level angles (~1e-10). */
const F64_SCORES_MAX_ANGLE_RAD = 1e-6;

describe('medianLogitThreshold', () => {
  const scores = (column: number[]): Matrix => ({
    rows: column.length,
    cols: 2,
    data: Float64Array.from(column.flatMap((v) => [100, v])),
  });
  it('is the median of the chosen column, rounded to 2 decimals', () => {
    assert.equal(medianLogitThreshold(scores([3, -1.234, 7]), 1), 3);
    assert.equal(medianLogitThreshold(scores([5, -1.234, 7, -4.1666]), 1), 1.88);
    assert.equal(medianLogitThreshold(scores([-4.1666, -4.2, 0]), 1), -4.17);
    assert.equal(medianLogitThreshold(scores([1, 2, 3]), 0), 100);
  });
});

describe('mnistGridCells', () => {
  const cells = mnistGridCells(FULL_MNIST_GRID, 2, -4.16);
  it('per seed the true basis first, then each access level, the threshold written in', () => {
    assert.deepEqual(
      cells.map((c) => `${c.source}/${c.seed}`),
      ['true', 'scores', 'score:0', 'label', 'threshold:0:-4.16']
        .flatMap((s) => `${s}/1`)
        .concat(['true', 'scores', 'score:0', 'label', 'threshold:0:-4.16'].map((s) => `${s}/2`)),
    );
    assert.equal(new Set(cells.map(mnistCellKey)).size, cells.length, 'keys are unique');
  });
  it('obfuscates inside the box only with the truth and the scores run', () => {
    for (const c of cells) {
      const boxed = BOX_SOURCES.includes(c.source);
      assert.deepEqual(c.boxScales, boxed ? FULL_MNIST_GRID.boxScales : [], c.source);
    }
  });
  it('a key changes with whatever the run depends on', () => {
    const c = cells[1];
    const keys = [
      c,
      { ...c, budget: 5 },
      { ...c, seed: 9 },
      { ...c, digits: 7 },
      { ...c, scales: [1] },
      { ...c, boxScales: [2] },
    ].map(mnistCellKey);
    assert.equal(new Set(keys).size, keys.length);
  });
});

describe('runMnistCell on a small ReLU net', () => {
  // n = 30 inputs, k = 6 first-layer units, 10 scores: the MNIST model's shape in miniature.
  const net = randomNetwork(
    {
      inputDim: 30,
      firstWidth: 6,
      hiddenWidths: [16],
      outputs: 10,
      activation: 'relu',
      bias: true,
    },
    new Rng(4),
  );
  const model = new NetworkOracle(net);
  const rng = new Rng(5);
  const digits = {
    rows: 12,
    cols: 30,
    data: Float64Array.from({ length: 12 * 30 }, () => rng.uniform()),
  };
  const ctx = { model, trueBasis: orthonormalRows(net.layers[0].weight), digits };
  const cell = (source: string, budget: number | null): MnistCell => ({
    source,
    budget,
    seed: 1,
    digits: 10,
    scales: [1, 3],
    boxScales: BOX_SOURCES.includes(source) ? [1] : [],
  });

  it('scores: the full span, and obfuscations under it keep every label', async () => {
    const r = await runMnistCell(cell('scores', null), ctx);
    assert.ok(r.recovery);
    assert.equal(r.recovery.rank, 6);
    assert.equal(r.recovery.anglesRad.length, 6);
    assert.ok(r.recovery.maxAngleRad <= F64_SCORES_MAX_ANGLE_RAD, `${r.recovery.maxAngleRad}`);
    assert.equal(r.basisRank, 6);
    assert.deepEqual(
      r.obfuscation.map((o) => `${o.variant} ${o.scale}`),
      ['unbounded 1', 'unbounded 3', 'box 1'],
    );
    for (const o of r.obfuscation) assert.equal(o.labelKept, 1, `${o.variant} ${o.scale}`);
  });

  it('the true basis: no recovery, the same figures shape', async () => {
    const r = await runMnistCell(cell(TRUE_BASIS, null), ctx);
    assert.equal(r.recovery, null);
    assert.equal(r.basisRank, 6);
    assert.equal(r.obfuscation.length, 3);
  });

  it('labels on a budget: the budget holds, the run is not complete, no box figures', async () => {
    const budget = 2000;
    const r = await runMnistCell(cell('label', budget), ctx);
    assert.ok(r.recovery);
    assert.ok(r.recovery.queries <= budget, `${r.recovery.queries}`);
    assert.equal(r.recovery.complete, false);
    assert.deepEqual(
      r.obfuscation.map((o) => o.variant),
      ['unbounded', 'unbounded'],
    );
  });
});

describe('tables, CSV and plots', () => {
  const figure = (variant: 'unbounded' | 'box', scale: number, kept: number, plain: number) => ({
    variant,
    scale,
    labelKept: kept,
    meanCorrelation: 0.2,
    meanPsnr: 5,
    maxOutputChange: 0,
    baseline: { labelKept: plain, meanCorrelation: 0.5, meanPsnr: 6 },
    unmet: 0,
  });
  const recovery = {
    rank: 128,
    anglesRad: [0, 1e-9],
    maxAngleRad: 1e-9,
    medianAngleRad: 0,
    queries: 9848,
    queriesOverFloor: 1.17,
    complete: true,
    budgetSpent: false,
    certificate: 'complete' as const,
    stopReason: 'saturated',
    suspectDirections: 0,
    continuations: 0,
    seconds: 3,
    secondsInOracle: 2,
  };
  const base = { budget: null, digits: 100, scales: [1, 3], boxScales: [] };
  const results: MnistCellResult[] = [1, 2].flatMap((seed) => [
    {
      ...base,
      source: TRUE_BASIS,
      seed,
      boxScales: [1],
      recovery: null,
      basisRank: 128,
      obfuscation: [
        figure('unbounded', 1, 1, 0.9),
        figure('unbounded', 3, 1, 0.5),
        figure('box', 1, 1, 0.6),
      ],
    },
    {
      ...base,
      source: 'label',
      seed,
      recovery,
      basisRank: 128,
      obfuscation: [figure('unbounded', 1, 0.5, 0.7), figure('unbounded', 3, seed / 4, 0.3)],
    },
  ]);

  it('means over seeds per scale and source, plain noise over every run', () => {
    const means = meanObfuscation(results, 'unbounded');
    const at = (source: string, scale: number) =>
      means.find((m) => m.source === source && m.scale === scale)?.labelKept;
    assert.equal(at('label', 3), (1 / 4 + 2 / 4) / 2);
    assert.equal(at(PLAIN_NOISE, 3), (0.5 + 0.3 + 0.5 + 0.3) / 4);
    assert.deepEqual(
      meanObfuscation(results, 'box').map((m) => `${m.source} ${m.scale}`),
      ['true 1', `${PLAIN_NOISE} 1`],
    );
  });

  it('tables: one recovery row per run, a dash where a source has no box figure', () => {
    const tables = mnistResultsTables(results);
    assert.equal(tables.match(/^\| label \| \d \| none \| 128 \|/gm)?.length, 2);
    assert.match(tables, /\| scale \| true A \| label \| plain noise \|/);
    assert.match(tables, /\| 3 \| 100 % \| 38 % \| 40 % \|/);
    assert.match(tables, /\| 1 \| 100 % \| – \| 60 % \|/);
    // per basis: the directions used, the worst angle, the largest logit change per variant
    assert.match(tables, /\| true A \| 128 \| 0 \| 0\.0e\+0 \| 0\.0e\+0 \|/);
    assert.match(tables, /\| label \| 128 \| 1\.0e-9 \| 0\.0e\+0 \| – \|/);
  });

  it('CSV: a row per run, and a row per run and obfuscation', () => {
    const runs = mnistResultsCsv(results).trimEnd().split('\n');
    assert.equal(runs.length, 5);
    assert.match(runs[1], /^true,,1,100,,,/);
    assert.match(runs[2], /^label,,1,100,128,1e-9,0,9848,1.17,true,false,complete,/);
    assert.equal(mnistObfuscationCsv(results).trimEnd().split('\n').length, 1 + 2 * (3 + 2));
  });

  it('plots: label kept per source and scale, one angle line per recovery run', () => {
    const [kept, angles] = mnistPlots(results);
    const values = (p: typeof kept) => (p.spec as { data: { values: unknown[] } }).data.values;
    assert.equal(values(kept).length, 3 * 2 + 2); // unbounded: 3 sources × 2 scales; box: 2 × 1
    assert.equal(values(angles).length, 2 * 2);
  });
});
