/** The report's tables: the recovery's figures and one obfuscation run against plain noise. */
import { element, lines, type Content, type Html } from './html.js';
import { formatNumber, formatPercent } from './format.js';
import type { ObfuscationSection, ObfuscationQuality, ReportData } from './reportData.js';

type Row = readonly [label: Content, ...cells: Content[]];

function table(id: string, head: readonly string[] | undefined, rows: readonly Row[]): Html {
  const headRow =
    head === undefined
      ? undefined
      : element('thead', {}, element('tr', {}, ...head.map((h) => element('th', {}, h))));
  const body = rows.map(([label, ...cells]) =>
    element(
      'tr',
      {},
      element('th', { scope: 'row' }, label),
      ...cells.map((c) => element('td', {}, c)),
    ),
  );
  return element('table', { id }, lines(headRow, element('tbody', {}, lines(...body))));
}

/** Rank, queries (against the floor when known), completeness, certificate and time. */
export function recoveryTable(data: ReportData): Html {
  const r = data.recovery;
  const c = r.certificate;
  const floor = data.queryFloor;
  const rows: Row[] = [
    ['rank', `${formatNumber(r.rank)} of n = ${formatNumber(r.inputDim)}`],
    ['queries', formatNumber(r.queries)],
  ];
  if (floor !== undefined) {
    rows.push(['query floor k(n − k) + k', formatNumber(floor)]);
    rows.push(['queries ÷ floor', `${formatNumber(r.queries / floor)}×`]);
  }
  rows.push(
    ['method', r.method],
    ['access', r.access],
    ['complete', r.complete ? 'yes' : 'no'],
    ['certificate verdict', c.verdict + (c.reason === undefined ? '' : ` (${c.reason})`)],
    ['certificate max change', formatNumber(c.maxChange)],
  );
  if (c.relativeChange !== undefined) {
    rows.push(['certificate relative change', formatNumber(c.relativeChange)]);
  }
  rows.push(['certificate queries', formatNumber(c.queries)], ['seconds', formatNumber(r.seconds)]);
  return table('recovery-table', undefined, rows);
}

function qualityRows(obfuscated: ObfuscationQuality, noise: ObfuscationQuality): Row[] {
  return [
    ['labels kept', formatPercent(obfuscated.labelKept), formatPercent(noise.labelKept)],
    [
      'mean correlation with the original',
      formatNumber(obfuscated.meanCorrelation),
      formatNumber(noise.meanCorrelation),
    ],
    ['mean PSNR, dB', formatNumber(obfuscated.meanPsnr), formatNumber(noise.meanPsnr)],
  ];
}

/** One run's settings in a sentence, then its quality beside plain noise of the same norm. */
export function obfuscationTable(section: ObfuscationSection, id: string): Html {
  const s = section.summary;
  const box = s.box === null ? 'unbounded' : `kept inside [${s.box[0]}, ${s.box[1]}]`;
  const settings =
    `${formatNumber(s.count)} inputs, noise scale ${formatNumber(s.scale)}, ${box}; ` +
    `largest change of any output: ${formatNumber(s.maxOutputChange)}.`;
  const head = ['', 'obfuscated', 'plain noise, same norm'];
  return lines(element('p', {}, settings), table(id, head, qualityRows(s, s.baseline)));
}
