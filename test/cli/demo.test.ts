import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gridSize } from '../../src/attack/obfuscationGrid.js';
import { readNpyMatrix } from '../../src/io/npy.js';
import { readGreyPng } from '../../src/io/png.js';
import { FIGURE_IDS } from '../../src/report/renderReport.js';
import { tempDir } from '../helpers.js';
import { assertUsageError, runCli } from './runCli.js';

const DIGITS = 5;

test('demo: recovers builtin:mnist, obfuscates held-out digits, writes every file and the report', async () => {
  const dir = tempDir();
  const r = runCli(['demo', '--out', dir, '--digits', String(DIGITS), '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote .*report\.html/);

  const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
  const basis = await readNpyMatrix(join(dir, 'basis.npy'));
  assert.equal(basis.cols, 784);
  assert.equal(basis.rows, result.rank);
  // the first layer has 128 units; a float32 recovery may add a few doubted directions
  assert.ok(
    result.rank >= 128 - 1 && result.rank - result.suspectDirections <= 128,
    `${result.rank}`,
  );

  for (const [sub, box] of [
    ['.', null],
    ['bounded', [0, 1]],
  ] as const) {
    const o = JSON.parse(readFileSync(join(dir, sub, 'obfuscation.json'), 'utf8'));
    assert.equal(o.count, DIGITS);
    assert.deepEqual(o.box, box);
    assert.ok(o.labelKept >= 0.8, `${sub}: label kept ${o.labelKept}`);
    assert.ok(o.meanCorrelation < 0.7, `${sub}: correlation ${o.meanCorrelation}`);
    const x = await readNpyMatrix(join(dir, sub, 'obfuscated.npy'));
    assert.deepEqual([x.rows, x.cols], [DIGITS, 784]);
    if (box !== null)
      assert.ok(
        x.data.every((v) => v >= 0 && v <= 1),
        'inside the box',
      );
    // original | obfuscated | plain noise, one row per digit, 28 × 28 tiles
    const grid = await readGreyPng(join(dir, sub, 'grid.png'));
    const size = gridSize(DIGITS, 3, { height: 28, width: 28 });
    assert.deepEqual([grid.width, grid.height], [size.width, size.height]);
  }

  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  for (const id of [FIGURE_IDS.spectrum, FIGURE_IDS.angles, FIGURE_IDS.basisFraction]) {
    assert.match(html, new RegExp(`<figure[^>]*id="${id}"`), id);
  }
  assert.equal((html.match(/<img /g) ?? []).length, 2, 'the two grids');
});

test('demo: bad flags exit 2 with one line', () => {
  assertUsageError(runCli(['demo', '--digits', '0']), /--digits/);
  assertUsageError(runCli(['demo', '--digits', '100000', '--out', tempDir()]), /holdout has 500/);
});
