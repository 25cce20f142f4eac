import type { Activation } from '../nets/network.js';
import { EXPERIMENT_METHODS } from './randomGrid.js';
import type { RandomCellResult } from './randomCell.js';

/**
 * Largest principal angle at which a run counts as full recovery: a recovered span within
 * 0.01 rad of the truth moves a unit input's first-layer image by at most sin(0.01) ≈ 1 %.
 * float64 runs land far below it (1e-10 to 1e-3 rad); a missing direction puts it at π/2.
 */
export const FULL_RECOVERY_ANGLE_RAD = 1e-2;

/** The run found every recoverable direction, and nothing else. */
export function isFullRecovery(r: RandomCellResult): boolean {
  return r.rank === r.trueRank && r.maxAngleRad <= FULL_RECOVERY_ANGLE_RAD;
}

/** The columns of results.csv, in order (one run per row). */
export const CSV_COLUMNS = [
  'n',
  'k',
  'depth',
  'width',
  'activation',
  'bias',
  'deadUnits',
  'seed',
  'method',
  'rank',
  'trueRank',
  'gradientRank',
  'maxAngleRad',
  'queries',
  'queriesOverFloor',
  'complete',
  'certificate',
  'stopReason',
  'seconds',
] as const satisfies readonly (keyof RandomCellResult)[];

/** results.csv: a header and one row per run; no field needs quoting (numbers and names). */
export function resultsCsv(results: readonly RandomCellResult[]): string {
  const rows = results.map((r) => CSV_COLUMNS.map((c) => String(r[c])).join(','));
  return [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

type Group = (r: RandomCellResult) => string | number;

function markdownTable(head: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

/**
 * One row per value of `rowOf`, one column per later-layer width; each cell shows `stat` of
 * its runs for each method, gradient · adaptive.
 */
function perWidthTable(
  results: readonly RandomCellResult[],
  rowName: string,
  rowOf: Group,
  stat: (runs: RandomCellResult[]) => string,
  methods: readonly string[] = EXPERIMENT_METHODS,
): string {
  const rowKeys = [...new Set(results.map(rowOf))];
  const widths = [...new Set(results.map((r) => r.width))].sort((a, b) => a - b);
  const rows = rowKeys.map((key) => [
    String(key),
    ...widths.map((w) =>
      methods
        .map((m) =>
          stat(results.filter((r) => rowOf(r) === key && r.width === w && r.method === m)),
        )
        .join(' · '),
    ),
  ]);
  return markdownTable([rowName, ...widths.map((w) => `width ${w}`)], rows);
}

/** "full / runs". */
function fullShare(runs: RandomCellResult[]): string {
  return `${runs.filter(isFullRecovery).length}/${runs.length}`;
}

/** Mean and least recovered ÷ true rank. */
function rankShare(runs: RandomCellResult[]): string {
  if (runs.length === 0) return '–';
  const s = runs.map((r) => r.rank / r.trueRank);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `${mean.toFixed(2)} (${Math.min(...s).toFixed(2)})`;
}

/** Mean exact-gradient rank ÷ true rank: how much of the span N(0, I) shows at all. */
function shownShare(runs: RandomCellResult[]): string {
  if (runs.length === 0) return '–';
  return (runs.reduce((a, r) => a + r.gradientRank / r.trueRank, 0) / runs.length).toFixed(2);
}

/**
 * The partial recoveries (rank below the true rank) by method and by whether the exact
 * gradients at N(0, I) showed more than was found: the certificate's verdicts on each.
 */
function partialTable(plain: readonly RandomCellResult[]): string {
  const partial = plain.filter((r) => r.rank < r.trueRank);
  const rows = EXPERIMENT_METHODS.map((m) => {
    const mine = partial.filter((r) => r.method === m);
    const missed = mine.filter((r) => r.rank < r.gradientRank);
    const hidden = mine.filter((r) => r.rank >= r.gradientRank);
    return [
      m,
      String(mine.length),
      `${missed.length}: ${countBy(missed.map((r) => r.certificate)) || '–'}`,
      `${hidden.length}: ${countBy(hidden.map((r) => r.certificate)) || '–'}`,
    ];
  });
  return markdownTable(
    [
      'method',
      'partial runs',
      'more was shown (rank < gradient rank): certificates',
      'nothing more shown at N(0, I): certificates',
    ],
    rows,
  );
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  return v.length === 0 ? NaN : v[(v.length - 1) >> 1];
}

/** Queries ÷ floor (median, range) per activation and method, over the fully recovered runs. */
function queriesTable(plain: readonly RandomCellResult[]): string {
  const acts = [...new Set(plain.map((r) => r.activation))];
  const rows = acts.flatMap((act: Activation) =>
    EXPERIMENT_METHODS.map((m) => {
      const runs = plain.filter((r) => r.method === m && r.activation === act && isFullRecovery(r));
      const q = runs.map((r) => r.queriesOverFloor);
      const angles = runs.map((r) => r.maxAngleRad);
      return [
        act,
        m,
        String(runs.length),
        q.length ? median(q).toFixed(2) : '–',
        q.length ? `${Math.min(...q).toFixed(2)}–${Math.max(...q).toFixed(2)}` : '–',
        angles.length ? median(angles).toExponential(1) : '–',
        angles.length ? Math.max(...angles).toExponential(1) : '–',
      ];
    }),
  );
  return markdownTable(
    [
      'activation',
      'method',
      'full runs',
      'queries ÷ floor (median)',
      'range',
      'max angle (median, rad)',
      'max angle (worst, rad)',
    ],
    rows,
  );
}

/** The nets built to fail: what each method reported against k − D. */
function deadUnitsTable(dead: readonly RandomCellResult[]): string {
  const keys = [...new Set(dead.map((r) => `${r.deadUnits}|${r.activation}|${r.method}`))];
  const rows = keys.map((key) => {
    const runs = dead.filter((r) => `${r.deadUnits}|${r.activation}|${r.method}` === key);
    const [d, act, m] = key.split('|');
    const ranks = [...new Set(runs.map((r) => r.rank))].sort((a, b) => a - b);
    const verdicts = countBy(runs.map((r) => r.certificate));
    return [
      d,
      act,
      m,
      `${runs[0].k} − ${d} = ${runs[0].trueRank}`,
      ranks.join(', '),
      String(runs.filter((r) => r.rank === r.trueRank).length) + `/${runs.length}`,
      verdicts,
      Math.max(...runs.map((r) => r.maxAngleRad)).toExponential(1),
    ];
  });
  return markdownTable(
    [
      'dead units D',
      'activation',
      'method',
      'true recoverable rank',
      'ranks reported',
      'rank = k − D',
      'certificates',
      'max angle (worst, rad)',
    ],
    rows,
  );
}

function countBy(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, c]) => `${c} ${v}`).join(', ');
}

/** Every table of docs/RESULTS.md, as markdown (tables.md). */
export function resultsTables(results: readonly RandomCellResult[]): string {
  const plain = results.filter((r) => r.deadUnits === 0);
  const dead = results.filter((r) => r.deadUnits > 0);
  return [
    `### Full recovery (rank = true rank, max angle ≤ ${FULL_RECOVERY_ANGLE_RAD} rad): runs, gradient · adaptive\n`,
    perWidthTable(plain, 'activation', (r) => r.activation, fullShare),
    '### Recovered ÷ true rank: mean (least), gradient · adaptive\n',
    perWidthTable(plain, 'activation', (r) => r.activation, rankShare),
    '### Share of the true span that exact gradients at N(0, I) show at all (mean)\n',
    perWidthTable(plain, 'activation', (r) => r.activation, shownShare, ['gradient']),
    '### Partial recoveries and what the certificate said\n',
    partialTable(plain),
    '### Full recovery by depth (all activations), gradient · adaptive\n',
    perWidthTable(plain, 'depth', (r) => r.depth, fullShare),
    '### Queries and accuracy of the fully recovered runs\n',
    queriesTable(plain),
    '### Networks built so that full recovery is impossible (dead first-layer units)\n',
    deadUnitsTable(dead),
  ].join('\n');
}
