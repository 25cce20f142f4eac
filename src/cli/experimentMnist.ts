import { join } from 'node:path';
import type { Command } from 'commander';
import { EXIT_OK } from '../errors.js';
import { runMnistCell, type MnistCellResult } from '../experiments/mnistCell.js';
import {
  DEFAULT_MNIST_SEEDS,
  FULL_MNIST_GRID,
  medianLogitThreshold,
  mnistCellKey,
  mnistGridCells,
  QUICK_MNIST_GRID,
  READ_CLASS,
} from '../experiments/mnistGrid.js';
import { openMnistF64Model } from '../experiments/mnistModel.js';
import { mnistPlots } from '../experiments/mnistPlots.js';
import {
  mnistObfuscationCsv,
  mnistResultsCsv,
  mnistResultsTables,
} from '../experiments/mnistTables.js';
import { ResultsStore } from '../experiments/resultsStore.js';
import { runMissing, type GridProgress } from '../experiments/runMissing.js';
import { orthonormalRows } from '../linalg/orthonormal.js';
import { loadMnistFirstLayer, loadMnistHoldout } from '../nets/mnist.js';
import {
  docMarkers,
  readDocSections,
  RUNS_FILE,
  spliceDocTables,
  writeExperimentOutputs,
} from './experimentOutputs.js';
import {
  declareExperiment,
  parseExperimentFlags,
  type ExperimentFlags,
  type ExperimentFlagSpec,
  type ExperimentSettings,
} from './experimentFlags.js';
import { stoppable } from './interrupt.js';
import { prepareOutDir, writeResultFile } from './outDir.js';
import { makeReporter, type Reporter } from './progress.js';

/** `--doc` replaces what lies between these two lines. */
export const MNIST_DOC_MARKERS = docMarkers('mnist');

export type ExperimentMnistCommand = ExperimentSettings;

const MNIST_FLAG_SPEC: ExperimentFlagSpec = {
  name: 'mnist',
  description:
    'span recovery on builtin:mnist from every access level, and obfuscation with each basis found',
  quickHelp: 'all scores, and labels on a small budget: the same claims in seconds',
  seedsMean: 'runs per access level',
  defaultSeeds: DEFAULT_MNIST_SEEDS,
  maxSeeds: 100,
};

/** Declare `experiment mnist` on the `experiment` command. */
export function experimentMnistCommand(
  experiment: Command,
  run: (flags: ExperimentFlags) => Promise<void>,
): void {
  declareExperiment(experiment, MNIST_FLAG_SPEC, run);
}

export function parseExperimentMnistFlags(f: ExperimentFlags): ExperimentMnistCommand {
  return parseExperimentFlags(MNIST_FLAG_SPEC, f);
}

/** `spanrec experiment mnist`: run (or resume) every cell, then write every output. */
export async function runExperimentMnist(cmd: ExperimentMnistCommand): Promise<number> {
  // A bad --doc is refused before any query.
  const doc = cmd.doc === undefined ? null : await readDocSections(cmd.doc, MNIST_DOC_MARKERS);
  await prepareOutDir(cmd.out, []);
  const grid = cmd.quick ? QUICK_MNIST_GRID : FULL_MNIST_GRID;
  const holdout = await loadMnistHoldout();
  const trueBasis = orthonormalRows(await loadMnistFirstLayer());
  const reporter = makeReporter(false); // stderr only: --json keeps stdout for the summary
  const start = performance.now();
  const model = await openMnistF64Model();
  try {
    // Choosing the bit's threshold costs the held-out digits' scores once, outside every run.
    const threshold = medianLogitThreshold(await model.query(holdout.digits), READ_CLASS);
    const cells = mnistGridCells(grid, cmd.seeds, threshold);
    const ctx = { model, trueBasis, digits: holdout.digits, onProgress: reporter.onProgress };
    const store = await ResultsStore.open<MnistCellResult>(join(cmd.out, RUNS_FILE), mnistCellKey);
    const counts = await stoppable((signal) =>
      runMissing(cells, mnistCellKey, store, (c) => runMnistCell(c, ctx), {
        signal,
        onResult: (p) => report(reporter, p),
      }),
    ).finally(() => reporter.stop());
    const keys = new Set(cells.map(mnistCellKey));
    const results = store.results().filter((r) => keys.has(mnistCellKey(r)));
    const tables = mnistResultsTables(results);
    const meta = { grid, seeds: cmd.seeds, quick: cmd.quick, threshold, model: 'builtin:mnist' };
    await writeExperimentOutputs(cmd.out, {
      csv: mnistResultsCsv(results),
      json: { experiment: 'mnist', ...meta, runs: results },
      tables,
      plots: mnistPlots(results),
    });
    await writeResultFile(join(cmd.out, 'obfuscation.csv'), mnistObfuscationCsv(results));
    if (doc !== null) await spliceDocTables(doc, tables);
    const summary = {
      runs: results.length,
      ran: counts.ran,
      skipped: counts.skipped,
      threshold,
      seconds: (performance.now() - start) / 1000,
      out: cmd.out,
    };
    if (cmd.json) process.stdout.write(JSON.stringify(summary) + '\n');
    else reporter.log(`${summary.runs} runs; wrote ${cmd.out}`);
    return EXIT_OK;
  } finally {
    await model.dispose();
  }
}

/** One line per finished run: there are few, and the long ones take minutes. */
function report(reporter: Reporter, p: GridProgress<MnistCellResult>): void {
  const r = p.last;
  const f = r.recovery;
  const what =
    f === null
      ? 'true basis'
      : `${r.source} seed ${r.seed}: rank ${f.rank}, max angle ${f.maxAngleRad.toExponential(1)} rad, ` +
        `${f.queries} queries, ${f.certificate}${f.complete ? '' : ' (not complete)'}`;
  const skipped = p.skipped > 0 ? ` (${p.skipped} done earlier)` : '';
  reporter.log(`experiment mnist: ${p.done}/${p.total} runs${skipped}; ${what}`);
}
