import { join } from 'node:path';
import type { Command } from 'commander';
import { EXIT_OK } from '../errors.js';
import { runRandomCell, type RandomCellResult } from '../experiments/randomCell.js';
import {
  cellKey,
  DEFAULT_SEEDS,
  FULL_GRID,
  gridCells,
  QUICK_GRID,
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

/** Where `experiment random` writes unless told otherwise. */
const DEFAULT_OUT = 'spanrec-experiment-random';
export { RUNS_FILE };
/** Without a terminal, one progress line per this many runs (a bar redraws on a terminal). */
const LOG_EVERY_RUNS = 50;
/** `--doc` replaces what lies between these two lines. */
export const { begin: DOC_BEGIN, end: DOC_END } = docMarkers('random');

export interface ExperimentRandomCommand {
  readonly quick: boolean;
  readonly out: string;
  readonly seeds: number;
  readonly json: boolean;
  /** A markdown file whose tables section to replace with this run's tables. */
  readonly doc?: string;
}

export interface ExperimentRandomFlags {
  quick?: boolean;
  out?: string;
  seeds?: string;
  json?: boolean;
  doc?: string;
}

/**
 * Declare `experiment` and its subcommands; each paper experiment is one subcommand, added
 * here with its own runner or, from its own module, on the command returned.
 */
export function experimentCommand(
  program: Command,
  runRandom: (flags: ExperimentRandomFlags) => Promise<void>,
): Command {
  const experiment = program
    .command('experiment')
    .description("reproduce the paper's experiments (writes tables, CSV, JSON and SVG plots)");
  experiment
    .command('random')
    .description(
      'span recovery on random networks over depth × width × activation × n × k, both methods',
    )
    .option('--quick', 'a small grid that checks the same claims in well under a minute')
    .option('--out <dir>', 'results folder (a rerun resumes what it holds)', DEFAULT_OUT)
    .option(
      '--seeds <n>',
      `networks per grid point (default ${DEFAULT_SEEDS.full}, --quick ${DEFAULT_SEEDS.quick})`,
    )
    .option('--doc <file>', `replace the tables between the markers "${DOC_BEGIN}" … in FILE`)
    .option('--json', 'print a summary as JSON on stdout')
    .action(runRandom);
  return experiment;
}

export function parseExperimentRandomFlags(f: ExperimentRandomFlags): ExperimentRandomCommand {
  const quick = f.quick ?? false;
  return {
    quick,
    out: f.out ?? DEFAULT_OUT,
    seeds:
      optional(f.seeds, (v) => parseInteger('--seeds', v, { min: 1, max: 1000 })) ??
      (quick ? DEFAULT_SEEDS.quick : DEFAULT_SEEDS.full),
    json: f.json ?? false,
    doc: f.doc,
  };
}

/** `spanrec experiment random`: run (or resume) the grid, then write every output. */
export async function runExperimentRandom(cmd: ExperimentRandomCommand): Promise<number> {
  // A bad --doc is refused before any run.
  const doc =
    cmd.doc === undefined
      ? null
      : await readDocSections(cmd.doc, { begin: DOC_BEGIN, end: DOC_END });
  await prepareOutDir(cmd.out, []);
  const grid = cmd.quick ? QUICK_GRID : FULL_GRID;
  const cells = gridCells(grid, cmd.seeds);
  const store = await ResultsStore.open<RandomCellResult>(join(cmd.out, RUNS_FILE), cellKey);
  const reporter = makeReporter(false); // stderr only: --json keeps stdout for the summary
  const start = performance.now();
  const counts = await stoppable((signal) =>
    runMissing(cells, cellKey, store, runRandomCell, {
      signal,
      onResult: (p) => report(reporter, p),
    }),
  ).finally(() => reporter.stop());
  const keys = new Set(cells.map(cellKey));
  const results = store.results().filter((r) => keys.has(cellKey(r)));
  const tables = resultsTables(results);
  await writeExperimentOutputs(cmd.out, {
    csv: resultsCsv(results),
    json: { experiment: 'random', grid, seeds: cmd.seeds, quick: cmd.quick, runs: results },
    tables,
    plots: randomPlots(results),
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

function report(reporter: Reporter, p: GridProgress<RandomCellResult>): void {
  const r = p.last;
  const message = `${cellKey(r)}: rank ${r.rank}/${r.trueRank}, ${r.certificate}`;
  reporter.onProgress({ phase: 'experiment', done: p.done, total: p.total, message });
  if (!process.stderr.isTTY && (p.done % LOG_EVERY_RUNS === 0 || p.done === p.total)) {
    const skipped = p.skipped > 0 ? ` (${p.skipped} done earlier)` : '';
    reporter.log(`experiment random: ${p.done}/${p.total} runs${skipped}; last ${message}`);
  }
}
