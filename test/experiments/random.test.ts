import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { runRandomCell, type RandomCellResult } from '../../src/experiments/randomCell.js';
import {
  DEFAULT_SEEDS,
  gridCells,
  QUICK_GRID,
  RANDOM_EXPERIMENT,
} from '../../src/experiments/randomGrid.js';
import {
  FULL_RECOVERY_ANGLE_RAD,
  isFullRecovery,
  isVeryThin,
} from '../../src/experiments/randomTables.js';

/**
 * The paper's claims on random networks, checked on the quick grid (the same runs as
 * `spanrec experiment random --quick`): n = 40, k = 12, later layers 1, 2, 4 or 32 wide, so
 * widths 1 and 2 are very thin (< k/4), a boundary read off the full grid's other shapes.
 */

const runs: RandomCellResult[] = [];
before(async () => {
  for (const cell of gridCells(QUICK_GRID, DEFAULT_SEEDS.quick, RANDOM_EXPERIMENT.methods))
    runs.push(await runRandomCell(cell));
});

const plain = (): RandomCellResult[] => runs.filter((r) => r.deadUnits === 0);
const describeRun = (r: RandomCellResult): string =>
  `${r.activation} depth ${r.depth} width ${r.width} ${r.bias ? 'bias' : 'no bias'} seed ${r.seed} ${r.method}: rank ${r.rank}/${r.trueRank}, angle ${r.maxAngleRad.toExponential(1)}`;

describe('experiment random (quick grid)', () => {
  it('recovers the full span of every reasonably wide network, by both methods', () => {
    const wide = plain().filter((r) => r.width >= r.k);
    assert.ok(wide.length >= 16, 'wide networks in the grid');
    for (const r of wide) {
      assert.ok(isFullRecovery(r), describeRun(r));
      assert.equal(r.certificate, 'complete', describeRun(r));
    }
  });

  it('recovers partially only for very thin later layers, and there it does happen', () => {
    const partial = plain().filter((r) => !isFullRecovery(r));
    for (const r of partial) assert.ok(isVeryThin(r), describeRun(r));
    assert.ok(
      partial.some((r) => r.rank < r.trueRank),
      'some very thin network loses directions',
    );
  });

  it('finds at least k/2 directions of every ReLU net whose later layers are not very thin', () => {
    // The paper's guarantee. Below it, a net whose thin layer is off at most N(0, I) inputs
    // shows few directions, and both methods can fall short (docs/RESULTS.md).
    const relu = plain().filter((r) => r.activation === 'relu' && !isVeryThin(r));
    assert.ok(relu.length >= 32, 'ReLU runs under the premise');
    for (const r of relu) assert.ok(r.rank >= r.k / 2, describeRun(r));
  });

  it('does not certify a span with a wrong or extra direction unless the net is very thin', () => {
    // A method can report junk directions (the gradient method does on width-1 leaky nets,
    // whose gradients are 1e-2^depth small); the certificate must not then say complete. On
    // very thin nets it sometimes does (docs/RESULTS.md), so they are left out here.
    const certified = runs.filter(
      (r) => r.certificate === 'complete' && r.rank > 0 && !isVeryThin(r),
    );
    assert.ok(certified.length > runs.length / 3, 'certified runs to check');
    for (const r of certified) {
      assert.ok(r.rank <= r.trueRank, describeRun(r));
      assert.ok(r.maxAngleRad <= FULL_RECOVERY_ANGLE_RAD, describeRun(r));
    }
  });

  it('reports k − D on nets with D dead units, or does not call the span complete', () => {
    const dead = runs.filter((r) => r.deadUnits > 0);
    assert.ok(dead.length >= 8, 'dead-unit networks in the grid');
    for (const r of dead) {
      assert.equal(r.trueRank, r.k - r.deadUnits, 'the dead units are unreachable by construction');
      assert.ok(
        r.rank === r.trueRank || r.certificate !== 'complete',
        `reported a complete span of rank ${r.rank} ≠ ${r.trueRank}: ${describeRun(r)}`,
      );
      assert.ok(r.rank < r.k, `claimed the whole of A: ${describeRun(r)}`);
    }
  });
});
