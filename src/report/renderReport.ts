/**
 * The self-contained HTML report of a recovery (and, when given, of obfuscation runs): tables
 * of the figures, plots as inline SVG, images as data URLs. Every section but the recovery's is
 * optional and left out when its data is missing.
 */
import { element, lines, type Html } from './html.js';
import { formatNumber } from './format.js';
import { imageFigure, plotFigure } from './figures.js';
import { page } from './page.js';
import { anglesSpec, basisFractionSpec, countUnplottable, spectrumSpec } from './plots.js';
import { obfuscationTable, recoveryTable } from './tables.js';
import type { BasisFractionPoint, ObfuscationSection, ReportData } from './reportData.js';

/** Ids of the report's figures, for links and tests. */
export const FIGURE_IDS = {
  spectrum: 'spectrum',
  angles: 'angles-to-truth',
  basisFraction: 'label-kept-by-basis-fraction',
  grid: (index: number) => `obfuscation-grid-${index + 1}`,
} as const;

/** The report as one HTML document. */
export async function renderReport(data: ReportData): Promise<string> {
  const r = data.recovery;
  const intro =
    `Recovered a ${r.rank}-dimensional subspace of the ${r.inputDim}-dimensional input space ` +
    `from ${formatNumber(r.queries)} queries (method ${r.method}, access ${r.access}).`;
  const body = lines(
    element('h1', {}, data.title),
    element('p', {}, intro),
    await recoverySection(data),
    await anglesSection(data.trueAnglesRad),
    obfuscationSection(data.obfuscations),
    await basisFractionSection(data.labelKeptByBasisFraction),
  );
  return page(data.title, body);
}

function section(id: string, heading: string, ...content: readonly Html[]): Html {
  return element('section', { id }, lines(element('h2', {}, heading), ...content));
}

/** A sentence counting the values a log axis leaves out, or nothing when there are none. */
function unplottedNote(values: readonly number[]): string {
  const n = countUnplottable(values);
  return n === 0 ? '' : ` ${n} zero or non-finite value(s) are not drawn: a log axis has no zero.`;
}

async function recoverySection(data: ReportData): Promise<Html> {
  const r = data.recovery;
  const caption =
    `The ${r.singularValues.length} singular values the rank was read from, largest first, on ` +
    `a log scale. The first ${r.rank} (blue) count in the rank and span the recovered ` +
    'subspace; the rest (grey) are measurement noise. A wide drop between the two means the ' +
    'rank is unambiguous; a gentle slope means it is a judgement call.' +
    unplottedNote(r.singularValues);
  return section(
    'recovery',
    'Recovery',
    recoveryTable(data),
    await plotFigure(FIGURE_IDS.spectrum, spectrumSpec(r.singularValues, r.rank), caption),
  );
}

async function anglesSection(anglesRad: readonly number[] | undefined): Promise<Html | undefined> {
  if (anglesRad === undefined || anglesRad.length === 0) return undefined;
  const largest = Math.max(...anglesRad);
  const caption =
    `The ${anglesRad.length} principal angles between the recovered subspace and the row span ` +
    'of the true first weight matrix, smallest first, in radians on a log scale. 0 is a ' +
    'perfect match and π/2 ≈ 1.57 a direction missed entirely; the largest angle is the ' +
    `worst-recovered direction (here ${formatNumber(largest)} rad).` +
    unplottedNote(anglesRad);
  return section(
    'truth',
    'Compared with the true first layer',
    await plotFigure(FIGURE_IDS.angles, anglesSpec(anglesRad), caption),
  );
}

function obfuscationRun(run: ObfuscationSection, index: number): Html {
  const gridCaption =
    'Each row: an original input, its obfuscated version, and plain noise of the same norm. ' +
    'The obfuscated input moves only orthogonally to the recovered subspace, which the first ' +
    'layer ignores, so the model should still answer as for the original; compare the labels ' +
    'kept in the table above.';
  const grid =
    run.gridPng === undefined
      ? undefined
      : imageFigure(
          FIGURE_IDS.grid(index),
          run.gridPng,
          `${run.name}: original | obfuscated | plain noise`,
          gridCaption,
        );
  return lines(
    element('h3', {}, run.name),
    obfuscationTable(run, `obfuscation-table-${index + 1}`),
    grid,
  );
}

function obfuscationSection(runs: readonly ObfuscationSection[] | undefined): Html | undefined {
  if (runs === undefined || runs.length === 0) return undefined;
  return section('obfuscation', 'Obfuscation', ...runs.map(obfuscationRun));
}

async function basisFractionSection(
  points: readonly BasisFractionPoint[] | undefined,
): Promise<Html | undefined> {
  if (points === undefined || points.length === 0) return undefined;
  const caption =
    'Obfuscating with only part of the recovered basis (the rest treated as unknown): the ' +
    'share of inputs whose label survives, against the share of basis directions used. At ' +
    '100 % the noise avoids every direction the first layer reads and labels should be kept; ' +
    'with fewer directions the noise leaks into the missing ones and labels flip, so a ' +
    'truncated basis is not enough.';
  return section(
    'truncated-basis',
    'Why the whole span is needed',
    await plotFigure(FIGURE_IDS.basisFraction, basisFractionSpec(points), caption),
  );
}
