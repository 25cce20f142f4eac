import { join } from 'node:path';
import type { Command } from 'commander';
import { EXIT_OK } from '../errors.js';
import { runRandomCell, type RandomCellResult } from '../experiments/randomCell.js';
import {
  cellKey,
  DEFAULT_SEEDS,
  gridCells,
  RANDOM_EXPERIMENT,
  THRESHOLD_EXPERIMENT,
  type GridExperiment,
} from '../experiments/randomGrid.js';
import { randomPlots } from '../experiments/randomPlots.js';
import { isFullRecovery, resultsCsv, resultsTables } from '../experiments/randomTables.js';
import { ResultsStore } from '../experiments/resultsStore.js';
import { runMissing, type GridProgress } from '../experiments/runMissing.js';
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
import { prepareOutDir } from './outDir.js';
import { makeReporter, type Reporter } from './progress.js';

export { RUNS_FILE };
/** Without a terminal, one progress line per this many runs (a bar redraws on a terminal). */
const LOG_EVERY_RUNS = 50;

export interface ExperimentGridCommand extends ExperimentSettings {
  readonly experiment: GridExperiment;
}

/** The grid experiments' flags: each a subcommand of its own name. */
const GRID_FLAG_SPECS: Record<GridExperiment['name'], ExperimentFlagSpec> = {
  random: {
    name: 'random',
    description:
      "span recovery on random networks over depth × width × activation × n × k, from one score: the paper's gradient method and the adaptive method",
    quickHelp: 'a small grid that checks the same claims in well under a minute',
    seedsMean: 'networks per grid point',
    defaultSeeds: DEFAULT_SEEDS,
    maxSeeds: 1000,
  },
  threshold: {
    name: 'threshold',
    description:
      'the same random networks answering one bit (their score above its median), recovered by the boundary method',
    quickHelp: 'a small grid that checks the same claims in well under a minute',
    seedsMean: 'networks per grid point',
    defaultSeeds: DEFAULT_SEEDS,
    maxSeeds: 1000,
  },
};

/**
 * Declare `experiment` and its grid subcommands (`random`, `threshold`); returns the
 * `experiment` command, for the other subcommands.
 */
export function experimentCommand(
  program: Command,
  runGrid: (experiment: GridExperiment, flags: ExperimentFlags) => Promise<void>,
): Command {
  const experiment = program
    .command('experiment')
    .description("reproduce the paper's experiments (writes tables, CSV, JSON and SVG plots)");
  for (const which of [RANDOM_EXPERIMENT, THRESHOLD_EXPERIMENT]) {
    declareExperiment(experiment, GRID_FLAG_SPECS[which.name], (flags) => runGrid(which, flags));
  }
  return experiment;
}

export function parseExperimentGridFlags(
  experiment: GridExperiment,
  f: ExperimentFlags,
): ExperimentGridCommand {
  return { experiment, ...parseExperimentFlags(GRID_FLAG_SPECS[experiment.name], f) };
}

/** `spanrec experiment random|threshold`: run (or resume) the grid, then write every output. */
export async function runExperimentGrid(cmd: ExperimentGridCommand): Promise<number> {
  const { name, methods } = cmd.experiment;
  // A bad --doc is refused before any run.
  const doc = cmd.doc === undefined ? null : await readDocSections(cmd.doc, docMarkers(name));
  await prepareOutDir(cmd.out, []);
  const grid = cmd.quick ? cmd.experiment.quick : cmd.experiment.full;
  const cells = gridCells(grid, cmd.seeds, methods);
  const store = await ResultsStore.open<RandomCellResult>(join(cmd.out, RUNS_FILE), cellKey);
  const reporter = makeReporter(false); // stderr only: --json keeps stdout for the summary
  const start = performance.now();
  const counts = await stoppable((signal) =>
    runMissing(cells, cellKey, store, runRandomCell, {
      signal,
      onResult: (p) => report(reporter, name, p),
    }),
  ).finally(() => reporter.stop());
  const keys = new Set(cells.map(cellKey));
  const results = store.results().filter((r) => keys.has(cellKey(r)));
  const tables = resultsTables(results, methods);
  await writeExperimentOutputs(cmd.out, {
    csv: resultsCsv(results),
    json: { experiment: name, grid, seeds: cmd.seeds, quick: cmd.quick, runs: results },
    tables,
    plots: randomPlots(results, methods),
  });
  if (doc !== null) await spliceDocTables(doc, tables);
  const summary = {
    runs: results.length,
    ran: counts.ran,
    skipped: counts.skipped,
    fullRecoveries: results.filter(isFullRecovery).length,
    seconds: (performance.now() - start) / 1000,
    out: cmd.out,
  };
  if (cmd.json) process.stdout.write(JSON.stringify(summary) + '\n');
  else
    reporter.log(
      `${summary.runs} runs, ${summary.fullRecoveries} full recoveries; wrote ${cmd.out}`,
    );
  return EXIT_OK;
}

function report(reporter: Reporter, name: string, p: GridProgress<RandomCellResult>): void {
  const r = p.last;
  const message = `${cellKey(r)}: rank ${r.rank}/${r.trueRank}, ${r.certificate}`;
  reporter.onProgress({ phase: 'experiment', done: p.done, total: p.total, message });
  if (!process.stderr.isTTY && (p.done % LOG_EVERY_RUNS === 0 || p.done === p.total)) {
    const skipped = p.skipped > 0 ? ` (${p.skipped} done earlier)` : '';
    reporter.log(`experiment ${name}: ${p.done}/${p.total} runs${skipped}; last ${message}`);
  }
}
