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
import { stoppable } from './interrupt.js';
import { prepareOutDir } from './outDir.js';
import { optional, parseInteger } from './parse.js';
import { makeReporter, type Reporter } from './progress.js';

/** Where `experiment NAME` writes unless told otherwise. */
const defaultOut = (name: string): string => `spanrec-experiment-${name}`;
export { RUNS_FILE };
/** Without a terminal, one progress line per this many runs (a bar redraws on a terminal). */
const LOG_EVERY_RUNS = 50;

export interface ExperimentGridCommand {
  readonly experiment: GridExperiment;
  readonly quick: boolean;
  readonly out: string;
  readonly seeds: number;
  readonly json: boolean;
  /** A markdown file whose tables section to replace with this run's tables. */
  readonly doc?: string;
}

export interface ExperimentGridFlags {
  quick?: boolean;
  out?: string;
  seeds?: string;
  json?: boolean;
  doc?: string;
}

/**
 * Declare `experiment` and its subcommands; each paper experiment is one subcommand, added
 * here with its own runner.
 */
export function experimentCommand(
  program: Command,
  runGrid: (experiment: GridExperiment, flags: ExperimentGridFlags) => Promise<void>,
): Command {
  const experiment = program
    .command('experiment')
    .description("reproduce the paper's experiments (writes tables, CSV, JSON and SVG plots)");
  gridSubcommand(
    experiment,
    RANDOM_EXPERIMENT,
    "span recovery on random networks over depth × width × activation × n × k, from one score: the paper's gradient method and the adaptive method",
    runGrid,
  );
  gridSubcommand(
    experiment,
    THRESHOLD_EXPERIMENT,
    'the same random networks answering one bit (their score above its median), recovered by the boundary method',
    runGrid,
  );
  return experiment;
}

function gridSubcommand(
  experiment: Command,
  which: GridExperiment,
  description: string,
  runGrid: (experiment: GridExperiment, flags: ExperimentGridFlags) => Promise<void>,
): void {
  experiment
    .command(which.name)
    .description(description)
    .option('--quick', 'a small grid that checks the same claims in well under a minute')
    .option('--out <dir>', 'results folder (a rerun resumes what it holds)', defaultOut(which.name))
    .option(
      '--seeds <n>',
      `networks per grid point (default ${DEFAULT_SEEDS.full}, --quick ${DEFAULT_SEEDS.quick})`,
    )
    .option(
      '--doc <file>',
      `replace the tables between the markers "${docMarkers(which.name).begin}" … in FILE`,
    )
    .option('--json', 'print a summary as JSON on stdout')
    .action((flags: ExperimentGridFlags) => runGrid(which, flags));
}

export function parseExperimentGridFlags(
  experiment: GridExperiment,
  f: ExperimentGridFlags,
): ExperimentGridCommand {
  const quick = f.quick ?? false;
  return {
    experiment,
    quick,
    out: f.out ?? defaultOut(experiment.name),
    seeds:
      optional(f.seeds, (v) => parseInteger('--seeds', v, { min: 1, max: 1000 })) ??
      (quick ? DEFAULT_SEEDS.quick : DEFAULT_SEEDS.full),
    json: f.json ?? false,
    doc: f.doc,
  };
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
