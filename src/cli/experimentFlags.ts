import type { Command } from 'commander';
import { docMarkers } from './experimentOutputs.js';
import { optional, parseInteger } from './parse.js';

/** The flags every `experiment` subcommand takes, as commander hands them over. */
export interface ExperimentFlags {
  quick?: boolean;
  out?: string;
  seeds?: string;
  json?: boolean;
  doc?: string;
}

/** Those flags, checked and with their defaults. */
export interface ExperimentSettings {
  readonly quick: boolean;
  readonly out: string;
  readonly seeds: number;
  readonly json: boolean;
  /** A markdown file whose section for this experiment to replace with this run's tables. */
  readonly doc?: string;
}

/** What sets one subcommand's flags apart: its name, help texts and seed counts. */
export interface ExperimentFlagSpec {
  /** Subcommand name; also names the default results folder and the `--doc` markers. */
  readonly name: string;
  readonly description: string;
  readonly quickHelp: string;
  /** What one seed is ("networks per grid point"), for `--seeds`' help. */
  readonly seedsMean: string;
  readonly defaultSeeds: { readonly full: number; readonly quick: number };
  readonly maxSeeds: number;
}

/** Where `experiment NAME` writes unless told otherwise. */
export const defaultExperimentOut = (name: string): string => `spanrec-experiment-${name}`;

/** Declare the subcommand `spec.name` of `experiment` with the common flags. */
export function declareExperiment(
  experiment: Command,
  spec: ExperimentFlagSpec,
  run: (flags: ExperimentFlags) => Promise<void>,
): void {
  const { full, quick } = spec.defaultSeeds;
  experiment
    .command(spec.name)
    .description(spec.description)
    .option('--quick', spec.quickHelp)
    .option(
      '--out <dir>',
      'results folder (a rerun resumes what it holds)',
      defaultExperimentOut(spec.name),
    )
    .option('--seeds <n>', `${spec.seedsMean} (default ${full}, --quick ${quick})`)
    .option(
      '--doc <file>',
      `replace the tables between the markers "${docMarkers(spec.name).begin}" … in FILE`,
    )
    .option('--json', 'print a summary as JSON on stdout')
    .action(run);
}

export function parseExperimentFlags(
  spec: ExperimentFlagSpec,
  f: ExperimentFlags,
): ExperimentSettings {
  const quick = f.quick ?? false;
  return {
    quick,
    out: f.out ?? defaultExperimentOut(spec.name),
    seeds:
      optional(f.seeds, (v) => parseInteger('--seeds', v, { min: 1, max: spec.maxSeeds })) ??
      (quick ? spec.defaultSeeds.quick : spec.defaultSeeds.full),
    json: f.json ?? false,
    doc: f.doc,
  };
}
