import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  BIT_BUDGET_FLOORS,
  cellAccess,
  cellNetwork,
  evenestCut,
  runRandomCell,
  type RandomCellResult,
} from '../../src/experiments/randomCell.js';
import {
  DEFAULT_SEEDS,
  gridCells,
  THRESHOLD_EXPERIMENT,
  THRESHOLD_QUICK_GRID,
} from '../../src/experiments/randomGrid.js';
import {
  FULL_RECOVERY_ANGLE_RAD,
  isFullRecovery,
  isVeryThin,
} from '../../src/experiments/randomTables.js';
import { forward } from '../../src/nets/network.js';
import { Rng } from '../../src/random/rng.js';

/**
 * The random-network claims from one bit per query, on the quick bit grid (the runs of
 * `spanrec experiment threshold --quick`): n = 30, k = 8, later layers 1, 2 or 32 wide, so only
 * width 1 is very thin (< k/4).
 */

const runs: RandomCellResult[] = [];
before(async () => {
  for (const cell of gridCells(THRESHOLD_QUICK_GRID, DEFAULT_SEEDS.quick, ['boundary']))
    runs.push(await runRandomCell(cell));
});

const plain = (): RandomCellResult[] => runs.filter((r) => r.deadUnits === 0);
const describeRun = (r: RandomCellResult): string =>
  `${r.activation} depth ${r.depth} width ${r.width} ${r.bias ? 'bias' : 'no bias'} seed ${r.seed}: rank ${r.rank}/${r.trueRank}, angle ${r.maxAngleRad.toExponential(1)}, ${r.certificate}`;

describe('experiment threshold (quick grid)', () => {
  it('runs the boundary method only', () => {
    assert.deepEqual(THRESHOLD_EXPERIMENT.methods, ['boundary']);
    assert.ok(runs.length >= 40);
    for (const r of runs) assert.equal(r.method, 'boundary');
  });

  it('recovers the full span of every net whose later layers are not very thin, and certifies it', () => {
    const wide = plain().filter((r) => !isVeryThin(r));
    assert.ok(wide.length >= 24, 'such networks in the grid');
    for (const r of wide) {
      assert.ok(isFullRecovery(r), describeRun(r));
      assert.notEqual(r.certificate, 'incomplete', describeRun(r));
    }
    // Bits are coarse evidence: the check says `unsure` when too few of its random moves
    // flipped the decision to show that it would see a missing direction (one run in ~30 here).
    const complete = wide.filter((r) => r.certificate === 'complete').length;
    assert.ok(complete >= 0.9 * wide.length, `${complete} of ${wide.length} certified`);
  });

  it('finds at least k/2 directions of every ReLU net that is not very thin', () => {
    const relu = plain().filter((r) => r.activation === 'relu' && !isVeryThin(r));
    assert.ok(relu.length >= 8);
    for (const r of relu) assert.ok(r.rank >= r.k / 2, describeRun(r));
  });

  it('never certifies a span with a wrong or extra direction', () => {
    const certified = runs.filter((r) => r.certificate === 'complete' && r.rank > 0);
    assert.ok(certified.length > runs.length / 2);
    for (const r of certified) {
      assert.ok(r.rank <= r.trueRank, describeRun(r));
      assert.ok(r.maxAngleRad <= FULL_RECOVERY_ANGLE_RAD, describeRun(r));
    }
  });

  it('reports k − D on nets with D dead units', () => {
    const dead = runs.filter((r) => r.deadUnits > 0);
    assert.ok(dead.length >= 8);
    for (const r of dead) {
      assert.equal(r.trueRank, r.k - r.deadUnits);
      assert.equal(r.rank, r.trueRank, describeRun(r));
    }
  });

  it('stays within its budget', () => {
    for (const r of runs) assert.ok(r.queriesOverFloor <= BIT_BUDGET_FLOORS, describeRun(r));
  });
});

describe('the bit of a cell', () => {
  it('cuts between distinct outputs, nearest the median', () => {
    assert.equal(evenestCut(Float64Array.of(3, 1, 2, 5, 4)), 2.5);
    // Ties at the median (a thin ReLU net constant on most inputs): the cut moves off them.
    assert.equal(evenestCut(Float64Array.of(0, 0, 0, 0, 0, 2, 1)), 0.5);
    assert.equal(evenestCut(Float64Array.of(-1, 0, 0, 0, 0, 0)), -0.5);
    assert.equal(evenestCut(Float64Array.of(7, 7, 7)), 7); // constant: no cut exists
  });

  it('is the score above a threshold that both sides of Gaussian inputs reach', () => {
    const cell = THRESHOLD_QUICK_GRID.deadNet;
    const c = { ...cell, activation: 'relu', bias: true, deadUnits: 0, seed: 3 } as const;
    const net = cellNetwork({ ...c, method: 'boundary' });
    const access = cellAccess({ ...c, method: 'boundary' }, net);
    assert.equal(access.kind, 'threshold');
    if (access.kind !== 'threshold') return;
    const rows = 400;
    const out = forward(net, { rows, cols: c.n, data: new Rng(9).gaussianVector(rows * c.n) });
    const above = Array.from(out.data).filter((v) => v > access.threshold).length / rows;
    assert.ok(above > 0.35 && above < 0.65, `share above the threshold ${above}`);
    assert.deepEqual(cellAccess({ ...c, method: 'adaptive' }, net), { kind: 'score', index: 0 });
  });
});
