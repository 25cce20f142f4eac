import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MNIST_DOC_MARKERS } from '../../src/cli/experimentMnist.js';
import { RUNS_FILE } from '../../src/cli/experimentOutputs.js';
import type { MnistCellResult } from '../../src/experiments/mnistCell.js';
import {
  QUICK_LABEL_BUDGET,
  QUICK_MNIST_GRID,
  TRUE_BASIS,
} from '../../src/experiments/mnistGrid.js';
import { tempDir } from '../helpers.js';
import { assertUsageError, jsonOf, runCli } from './runCli.js';

/**
 * Largest angle for a recovery from all ten float64 scores to count as exact: float64 runs of
 * the adaptive method on 784 × 128 land at ~1e-8 (docs/BENCHMARKS.md); 1e-6 still moves a
 * digit's first-layer image by a millionth.
 */
const SCORES_MAX_ANGLE_RAD = 1e-6;
/**
 * Largest angle of the directions a budget-limited label run found: each is a boundary normal
 * measured to ~1e-6 (ratios bisected to 2^-20 at offset 1e-5); a wrong direction would be
 * O(1).
 */
const LABEL_DIRECTION_MAX_ANGLE_RAD = 1e-4;
/** Share of labels an obfuscation with an exact span must keep (it changes no logit beyond rounding). */
const EXACT_SPAN_LABEL_KEPT = 1;
/**
 * Plain noise of three times a digit's norm changes about half the labels (49 % kept over 100
 * digits, 45 % over the quick grid's 20): at most 75 % kept leaves room for another draw.
 */
const PLAIN_NOISE_MAX_KEPT_AT_3 = 0.75;

const dir = tempDir();
const out = join(dir, 'quick');
const doc = join(dir, 'RESULTS.md');
const { begin, end } = MNIST_DOC_MARKERS;

function runs(): MnistCellResult[] {
  return (
    JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { runs: MnistCellResult[] }
  ).runs;
}

const figure = (r: MnistCellResult, variant: string, scale: number) => {
  const f = r.obfuscation.find((o) => o.variant === variant && o.scale === scale);
  assert.ok(f, `${r.source}: no ${variant} figure at scale ${scale}`);
  return f;
};

describe('spanrec experiment mnist --quick', () => {
  it('runs the quick grid, writes every file and splices its tables into the document', () => {
    writeFileSync(doc, `# Head\n\n${begin}\nold tables\n${end}\n\nwritten text\n`);
    const r = runCli(['experiment', 'mnist', '--quick', '--out', out, '--doc', doc, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const summary = jsonOf(r);
    const cells = 1 + QUICK_MNIST_GRID.recoveries.length;
    assert.deepEqual([summary.runs, summary.ran, summary.skipped], [cells, cells, 0]);
    // The bit's threshold: logit 0's median over the held-out digits, rounded to 2 decimals.
    assert.equal(summary.threshold, -4.16);
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').trimEnd().split('\n');
    assert.equal(csv.length, cells + 1);
    const obfuscations =
      cells * QUICK_MNIST_GRID.scales.length + 2 * QUICK_MNIST_GRID.boxScales.length;
    assert.equal(
      readFileSync(join(out, 'obfuscation.csv'), 'utf8').trimEnd().split('\n').length,
      obfuscations + 1,
    );
    for (const plot of ['obfuscation-label-kept', 'principal-angles']) {
      assert.match(readFileSync(join(out, `${plot}.svg`), 'utf8'), /^<svg/);
    }
    const tables = readFileSync(join(out, 'tables.md'), 'utf8');
    assert.match(tables, /### Recovery from each access level/);
    const text = readFileSync(doc, 'utf8');
    assert.ok(text.startsWith(`# Head\n\n${begin}\n`));
    assert.ok(text.endsWith(`${end}\n\nwritten text\n`));
    assert.doesNotMatch(text, /old tables/);
    assert.ok(text.includes(tables));
  });

  it('all scores: rank 128, every angle tiny, certified complete', () => {
    const f = runs().find((r) => r.source === 'scores')?.recovery;
    assert.ok(f);
    assert.equal(f.rank, 128);
    assert.ok(f.maxAngleRad <= SCORES_MAX_ANGLE_RAD, `max angle ${f.maxAngleRad}`);
    assert.deepEqual([f.certificate, f.complete], ['complete', true]);
  });

  it('labels on a small budget: stops within it, not complete, every direction found in the span', () => {
    const label = runs().find((r) => r.source === 'label');
    const f = label?.recovery;
    assert.ok(label && f);
    assert.equal(label.budget, QUICK_LABEL_BUDGET);
    assert.ok(f.queries <= QUICK_LABEL_BUDGET, `${f.queries} queries`);
    assert.deepEqual([f.budgetSpent, f.complete], [true, false]);
    assert.ok(f.rank > 0 && f.rank < 128, `rank ${f.rank}`);
    assert.equal(f.anglesRad.length, f.rank);
    assert.ok(f.maxAngleRad <= LABEL_DIRECTION_MAX_ANGLE_RAD, `max angle ${f.maxAngleRad}`);
  });

  it('obfuscation with the recovered span keeps every label; plain noise and a partial span do not', () => {
    const all = runs();
    const of = (source: string) => {
      const r = all.find((x) => x.source === source);
      assert.ok(r, source);
      return r;
    };
    for (const source of [TRUE_BASIS, 'scores']) {
      for (const scale of QUICK_MNIST_GRID.scales) {
        assert.equal(figure(of(source), 'unbounded', scale).labelKept, EXACT_SPAN_LABEL_KEPT);
      }
      for (const scale of QUICK_MNIST_GRID.boxScales) {
        const f = figure(of(source), 'box', scale);
        assert.equal(f.labelKept, EXACT_SPAN_LABEL_KEPT, `${source} box ${scale}`);
        assert.equal(f.unmet, 0);
        assert.ok(
          f.labelKept > f.baseline.labelKept,
          `box: plain noise kept ${f.baseline.labelKept}`,
        );
      }
    }
    const atThree = figure(of('scores'), 'unbounded', 3);
    assert.ok(
      atThree.baseline.labelKept <= PLAIN_NOISE_MAX_KEPT_AT_3,
      `plain ${atThree.baseline.labelKept}`,
    );
    // The digit is hidden as well: correlation with the original well below plain noise's.
    assert.ok(atThree.meanCorrelation! < atThree.baseline.meanCorrelation!);
    // A span of a few directions keeps only those parts of the digit: worse than plain noise.
    const partial = figure(of('label'), 'unbounded', 3);
    assert.ok(partial.labelKept < atThree.baseline.labelKept, `partial ${partial.labelKept}`);
  });

  it('a rerun resumes: every run found in the store, none repeated', () => {
    const stored = readFileSync(join(out, RUNS_FILE), 'utf8').trimEnd().split('\n').length;
    const r = runCli(['experiment', 'mnist', '--quick', '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const summary = jsonOf(r);
    assert.deepEqual([summary.ran, summary.skipped], [0, stored]);
    assert.equal(readFileSync(join(out, RUNS_FILE), 'utf8').trimEnd().split('\n').length, stored);
  });

  it('refuses bad flags and a document without its markers in one line, before any query', () => {
    assertUsageError(runCli(['experiment', 'mnist', '--seeds', '0']), /--seeds 0/);
    const plain = join(dir, 'plain.md');
    writeFileSync(
      plain,
      `# only the random experiment's markers\n<!-- experiment random: tables begin -->\n<!-- experiment random: tables end -->\n`,
    );
    assertUsageError(
      runCli(['experiment', 'mnist', '--quick', '--out', join(dir, 'x'), '--doc', plain]),
      /--doc .*plain\.md: no "<!-- experiment mnist: tables begin -->"/,
    );
  });
});
