import { markdownTable } from './markdownTable.js';
import type { ExperimentMethod } from './randomGrid.js';
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

/**
 * Later layers narrower than k/4 are "very thin" (the paper's "unrealistically thin"): the
 * boundary below which the full grid of docs/RESULTS.md shows misses, and none above.
 */
export const VERY_THIN_FRACTION_OF_K = 1 / 4;

export function isVeryThin(r: { readonly width: number; readonly k: number }): boolean {
  return r.width < VERY_THIN_FRACTION_OF_K * r.k;
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

/**
 * One row per value of `rowOf`, one column per later-layer width; each cell shows `stat` of
 * its runs for each method, in the order of `methods`, joined by " · ".
 */
function perWidthTable(
  results: readonly RandomCellResult[],
  methods: readonly ExperimentMethod[],
  rowName: string,
  rowOf: Group,
  stat: (runs: RandomCellResult[]) => string,
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

/** The ways a run can fall short of a full recovery, as the misses table lists them. */
const MISSES: readonly { label: string; test: (r: RandomCellResult) => boolean }[] = [
  {
    label: 'rank < true rank; exact gradients at N(0, I) show more',
    test: (r) => r.rank < r.trueRank && r.rank < r.gradientRank,
  },
  {
    label: 'rank < true rank; exact gradients at N(0, I) show no more',
    test: (r) => r.rank < r.trueRank && r.rank >= r.gradientRank,
  },
  { label: 'rank > true rank (an extra direction)', test: (r) => r.rank > r.trueRank },
  {
    label: `rank = true rank, but max angle > ${FULL_RECOVERY_ANGLE_RAD} rad`,
    test: (r) => r.rank === r.trueRank && !isFullRecovery(r),
  },
];

/** Every run that is not a full recovery, by kind of miss and method, with its certificates. */
function missesTable(
  plain: readonly RandomCellResult[],
  methods: readonly ExperimentMethod[],
): string {
  const rows = MISSES.map(({ label, test }) => [
    label,
    ...methods.map((m) => {
      const runs = plain.filter((r) => r.method === m && test(r));
      return runs.length === 0 ? '0' : `${runs.length}: ${countBy(runs.map((r) => r.certificate))}`;
    }),
  ]);
  return markdownTable(['miss', ...methods.map((m) => `${m}: runs: certificates`)], rows);
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  return v.length === 0 ? NaN : v[(v.length - 1) >> 1];
}

/** Queries ÷ floor (median, range) and angles per activation, shape and method, over the full recoveries. */
function queriesTable(
  plain: readonly RandomCellResult[],
  methods: readonly ExperimentMethod[],
): string {
  const keyOf = (r: RandomCellResult): string => `${r.activation}|${r.n}|${r.k}`;
  const keys = [...new Set(plain.map(keyOf))];
  const rows = keys.flatMap((key) =>
    methods.map((m) => {
      const runs = plain.filter((r) => r.method === m && keyOf(r) === key && isFullRecovery(r));
      const q = runs.map((r) => r.queriesOverFloor);
      const angles = runs.map((r) => r.maxAngleRad);
      const some = runs.length > 0;
      return [
        ...key.split('|'),
        m,
        String(runs.length),
        some ? median(q).toFixed(2) : '–',
        some ? `${Math.min(...q).toFixed(2)}–${Math.max(...q).toFixed(2)}` : '–',
        some ? median(angles).toExponential(1) : '–',
        some ? Math.max(...angles).toExponential(1) : '–',
      ];
    }),
  );
  const head = ['activation', 'n', 'k', 'method', 'full runs', 'queries ÷ floor (median)'];
  return markdownTable(
    [...head, 'range', 'max angle (median, rad)', 'max angle (worst, rad)'],
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

/** A claim, the runs it is about, and whether each holds. */
interface Claim {
  readonly text: string;
  readonly about: (r: RandomCellResult) => boolean;
  readonly holds: (r: RandomCellResult) => boolean;
}

const certifiedJunk = (r: RandomCellResult): boolean =>
  r.certificate === 'complete' &&
  (r.rank > r.trueRank || (r.rank > 0 && r.maxAngleRad > FULL_RECOVERY_ANGLE_RAD));

/** The paper's claims and ours, as run counts: how many of the runs each is about it holds for. */
const CLAIMS: readonly Claim[] = [
  {
    text: 'full recovery when every later layer is at least k wide',
    about: (r) => r.deadUnits === 0 && r.width >= r.k,
    holds: isFullRecovery,
  },
  {
    text: 'full recovery when later layers are not very thin (width ≥ k/4)',
    about: (r) => r.deadUnits === 0 && !isVeryThin(r),
    holds: isFullRecovery,
  },
  {
    text: 'full recovery when later layers are very thin (width < k/4)',
    about: (r) => r.deadUnits === 0 && isVeryThin(r),
    holds: isFullRecovery,
  },
  {
    text: 'ReLU: at least k/2 directions, width ≥ k/4',
    about: (r) => r.deadUnits === 0 && r.activation === 'relu' && !isVeryThin(r),
    holds: (r) => r.rank >= r.k / 2,
  },
  {
    text: 'ReLU: at least k/2 directions, very thin',
    about: (r) => r.deadUnits === 0 && r.activation === 'relu' && isVeryThin(r),
    holds: (r) => r.rank >= r.k / 2,
  },
  {
    text: 'D dead units: rank k − D reported, or the span not called complete',
    about: (r) => r.deadUnits > 0,
    holds: (r) => r.rank === r.trueRank || r.certificate !== 'complete',
  },
  {
    text: 'a span called complete holds no extra or wrong direction',
    about: (r) => r.certificate === 'complete',
    holds: (r) => !certifiedJunk(r),
  },
];

function claimsTable(
  results: readonly RandomCellResult[],
  methods: readonly ExperimentMethod[],
): string {
  const rows = CLAIMS.map((c) => [
    c.text,
    ...methods.map((m) => {
      const runs = results.filter((r) => r.method === m && c.about(r));
      return `${runs.filter(c.holds).length}/${runs.length}`;
    }),
  ]);
  return markdownTable(['claim', ...methods.map((m) => `${m}: holds/runs`)], rows);
}

/** Every table of docs/RESULTS.md for one experiment, as markdown (tables.md). */
export function resultsTables(
  results: readonly RandomCellResult[],
  methods: readonly ExperimentMethod[],
): string {
  const plain = results.filter((r) => r.deadUnits === 0);
  const dead = results.filter((r) => r.deadUnits > 0);
  const byMethod = methods.join(' · ');
  return [
    '### The claims, run by run\n',
    claimsTable(results, methods),
    `### Full recovery (rank = true rank, max angle ≤ ${FULL_RECOVERY_ANGLE_RAD} rad): runs, ${byMethod}\n`,
    perWidthTable(plain, methods, 'activation', (r) => r.activation, fullShare),
    `### Recovered ÷ true rank: mean (least), ${byMethod}\n`,
    perWidthTable(plain, methods, 'activation', (r) => r.activation, rankShare),
    '### Share of the true span that exact gradients at N(0, I) show at all (mean)\n',
    perWidthTable(plain, methods.slice(0, 1), 'activation', (r) => r.activation, shownShare),
    '### Runs that are not full recoveries, and what the certificate said\n',
    missesTable(plain, methods),
    `### Full recovery by depth (all activations), ${byMethod}\n`,
    perWidthTable(plain, methods, 'depth', (r) => r.depth, fullShare),
    '### Queries and accuracy of the fully recovered runs\n',
    queriesTable(plain, methods),
    '### Networks built so that full recovery is impossible (dead first-layer units)\n',
    deadUnitsTable(dead),
  ].join('\n');
}
