/**
 * What every `experiment` subcommand writes: results.csv, results.json, tables.md and one SVG
 * per plot in its results folder, and with `--doc` its tables spliced into a document between
 * that experiment's two marker lines.
 */
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { readRegularFile } from '../io/safeFiles.js';
import type { PlotSpec } from '../experiments/plotSpec.js';
import { renderSvg } from '../plot/vegaLite.js';
import { writeResultFile } from './outDir.js';

/** The resume file of every experiment: one finished run per line. */
export const RUNS_FILE = 'runs.jsonl';
/** Largest document `--doc` may splice into. */
const MAX_DOC_BYTES = 4 * 2 ** 20;

/** The two lines between which `--doc` puts experiment `name`'s tables. */
export function docMarkers(name: string): { readonly begin: string; readonly end: string } {
  return {
    begin: `<!-- experiment ${name}: tables begin -->`,
    end: `<!-- experiment ${name}: tables end -->`,
  };
}

/** An experiment's finished outputs, as text and plot specifications. */
export interface ExperimentOutputs {
  readonly csv: string;
  /** results.json's object (written indented). */
  readonly json: object;
  readonly tables: string;
  readonly plots: readonly PlotSpec[];
}

/** results.csv, results.json, tables.md and one SVG per plot, in `out`. */
export async function writeExperimentOutputs(out: string, o: ExperimentOutputs): Promise<void> {
  await writeResultFile(join(out, 'results.csv'), o.csv);
  await writeResultFile(join(out, 'results.json'), JSON.stringify(o.json, null, 1) + '\n');
  await writeResultFile(join(out, 'tables.md'), o.tables);
  for (const plot of o.plots) {
    await writeResultFile(join(out, `${plot.name}.svg`), await renderSvg(plot.spec));
  }
}

/** A document's text around one tables section: up to the begin marker, from the end marker. */
export interface DocSections {
  readonly path: string;
  readonly markers: { readonly begin: string; readonly end: string };
  readonly before: string;
  readonly after: string;
}

/**
 * Read `path` and split it at the markers, whose contents `--doc` replaces; read before any
 * run, so that a bad `--doc` costs nothing.
 * @throws UserError when the file cannot be read or lacks the two markers in order.
 */
export async function readDocSections(
  path: string,
  markers: { readonly begin: string; readonly end: string },
): Promise<DocSections> {
  const doc = (await readRegularFile(path, MAX_DOC_BYTES)).toString('utf8');
  const begin = doc.indexOf(markers.begin);
  const end = doc.indexOf(markers.end);
  if (begin < 0 || end < begin) {
    throw new UserError(
      `--doc ${path}: no "${markers.begin}" … "${markers.end}" section to replace`,
    );
  }
  return {
    path,
    markers,
    before: doc.slice(0, begin + markers.begin.length),
    after: doc.slice(end),
  };
}

/**
 * Replace the document's section with `tables`. The document is read again first: a long run
 * must not undo what was written to it meanwhile (the text around the tables, or another
 * experiment's section).
 */
export async function spliceDocTables(doc: DocSections, tables: string): Promise<void> {
  const now = await readDocSections(doc.path, doc.markers);
  await writeResultFile(now.path, `${now.before}\n\n${tables}\n${now.after}`);
}
