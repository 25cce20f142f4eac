import { markdownTable } from './markdownTable.js';
import {
  OBFUSCATION_VARIANTS,
  type MnistCellResult,
  type MnistObfuscationFigure,
  type ObfuscationVariant,
} from './mnistCell.js';
import { TRUE_BASIS } from './mnistGrid.js';

/** The column of the plain-noise baseline beside the basis sources. */
export const PLAIN_NOISE = 'plain noise';

/** How the tables and plots name a basis source. */
export function sourceLabel(source: string): string {
  return source === TRUE_BASIS ? 'true A' : source;
}

/** The sources present, in the order the grid runs them (true basis first). */
export function sourcesOf(results: readonly MnistCellResult[]): string[] {
  return [...new Set(results.map((r) => r.source))];
}

/** The columns of results.csv, one row per run (the recovery's fields empty for the true basis). */
const RUN_COLUMNS = [
  'source',
  'budget',
  'seed',
  'digits',
  'rank',
  'maxAngleRad',
  'medianAngleRad',
  'queries',
  'queriesOverFloor',
  'complete',
  'budgetSpent',
  'certificate',
  'stopReason',
  'suspectDirections',
  'continuations',
  'seconds',
  'secondsInOracle',
  'basisRank',
] as const;

/** results.csv: one row per run; no field needs quoting (numbers and names without commas). */
export function mnistResultsCsv(results: readonly MnistCellResult[]): string {
  const rows = results.map((r) =>
    RUN_COLUMNS.map((c) => {
      const v: unknown =
        c in r ? r[c as keyof MnistCellResult] : r.recovery?.[c as keyof typeof r.recovery];
      return v === undefined || v === null ? '' : String(v);
    }).join(','),
  );
  return [RUN_COLUMNS.join(','), ...rows].join('\n') + '\n';
}

/** obfuscation.csv: one row per run, variant and scale, the plain-noise baseline beside. */
export function mnistObfuscationCsv(results: readonly MnistCellResult[]): string {
  const head = [
    'source',
    'budget',
    'seed',
    'basisRank',
    'variant',
    'scale',
    'labelKept',
    'meanCorrelation',
    'meanPsnr',
    'maxOutputChange',
    'unmet',
    'baselineLabelKept',
    'baselineMeanCorrelation',
    'baselineMeanPsnr',
  ];
  const rows = results.flatMap((r) =>
    r.obfuscation.map((o) =>
      [
        r.source,
        r.budget ?? '',
        r.seed,
        r.basisRank,
        o.variant,
        o.scale,
        o.labelKept,
        o.meanCorrelation ?? '',
        o.meanPsnr ?? '',
        o.maxOutputChange,
        o.unmet,
        o.baseline.labelKept,
        o.baseline.meanCorrelation ?? '',
        o.baseline.meanPsnr ?? '',
      ].join(','),
    ),
  );
  return [head.join(','), ...rows].join('\n') + '\n';
}

const angle = (rad: number): string => rad.toExponential(1);
const percent = (share: number): string => `${(100 * share).toFixed(0)} %`;

/** One row per recovery run. */
function recoveryTable(results: readonly MnistCellResult[]): string {
  const rows = results.flatMap((r) => {
    const f = r.recovery;
    if (f === null) return [];
    return [
      [
        r.source,
        String(r.seed),
        r.budget === null ? 'none' : String(r.budget),
        `${f.rank}${f.suspectDirections > 0 ? ` (${f.suspectDirections} suspect)` : ''}`,
        angle(f.maxAngleRad),
        angle(f.medianAngleRad),
        String(f.queries),
        f.queriesOverFloor.toFixed(2),
        f.certificate,
        f.complete ? 'yes' : 'no',
        f.seconds.toFixed(0),
      ],
    ];
  });
  return markdownTable(
    [
      'access',
      'seed',
      'budget',
      'rank (true 128)',
      'max angle (rad)',
      'median angle (rad)',
      'queries',
      'queries ÷ floor',
      'certificate',
      'complete',
      'seconds',
    ],
    rows,
  );
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
}

/** The figures of `variant` at `scale`, one per run of `source` (every run, for plain noise). */
function figuresAt(
  results: readonly MnistCellResult[],
  source: string,
  variant: ObfuscationVariant,
  scale: number,
): { labelKept: number; correlation: number | null; psnr: number | null }[] {
  return results
    .filter((r) => source === PLAIN_NOISE || r.source === source)
    .flatMap((r) => r.obfuscation.filter((o) => o.variant === variant && o.scale === scale))
    .map((o: MnistObfuscationFigure) => {
      const d = source === PLAIN_NOISE ? o.baseline : o;
      return { labelKept: d.labelKept, correlation: d.meanCorrelation, psnr: d.meanPsnr };
    });
}

/** Mean over runs (seeds) of each figure, per scale and source, plain noise last. */
export function meanObfuscation(
  results: readonly MnistCellResult[],
  variant: ObfuscationVariant,
): { scale: number; source: string; labelKept: number; correlation: number; psnr: number }[] {
  const scales = [
    ...new Set(
      results.flatMap((r) =>
        r.obfuscation.filter((o) => o.variant === variant).map((o) => o.scale),
      ),
    ),
  ].sort((a, b) => a - b);
  return scales.flatMap((scale) =>
    [...sourcesOf(results), PLAIN_NOISE].flatMap((source) => {
      const figs = figuresAt(results, source, variant, scale);
      const labelKept = mean(figs.map((f) => f.labelKept));
      if (labelKept === null) return [];
      const finite = (v: number | null): v is number => v !== null && Number.isFinite(v);
      return [
        {
          scale,
          source,
          labelKept,
          correlation: mean(figs.map((f) => f.correlation).filter(finite)) ?? NaN,
          psnr: mean(figs.map((f) => f.psnr).filter(finite)) ?? NaN,
        },
      ];
    }),
  );
}

const VARIANT_TITLE: Record<ObfuscationVariant, string> = {
  unbounded: 'unbounded',
  box: 'pixels kept in [0, 1]',
};

/** Rows = scales, columns = basis sources and plain noise, each cell `cell(figures)`. */
function perScaleTable(
  results: readonly MnistCellResult[],
  variant: ObfuscationVariant,
  cell: (f: { labelKept: number; correlation: number; psnr: number }) => string,
): string {
  const means = meanObfuscation(results, variant);
  const columns = [...sourcesOf(results), PLAIN_NOISE];
  const scales = [...new Set(means.map((m) => m.scale))];
  const rows = scales.map((scale) => [
    String(scale),
    ...columns.map((source) => {
      const m = means.find((x) => x.scale === scale && x.source === source);
      return m === undefined ? '–' : cell(m);
    }),
  ]);
  return markdownTable(['scale', ...columns.map(sourceLabel)], rows);
}

/**
 * Per source, how far its basis lies from the truth and how far its obfuscations move the
 * logits: the largest change over every run, digit and scale of each variant.
 */
function logitChangeTable(results: readonly MnistCellResult[]): string {
  const rows = sourcesOf(results).map((source) => {
    const runs = results.filter((r) => r.source === source);
    const worst = (variant: ObfuscationVariant): string => {
      const changes = runs.flatMap((r) =>
        r.obfuscation.filter((o) => o.variant === variant).map((o) => o.maxOutputChange),
      );
      return changes.length === 0 ? '–' : Math.max(...changes).toExponential(1);
    };
    const angles = runs.map((r) => r.recovery?.maxAngleRad ?? 0);
    return [
      sourceLabel(source),
      [...new Set(runs.map((r) => r.basisRank))].join(', '),
      source === TRUE_BASIS ? '0' : angle(Math.max(...angles)),
      worst('unbounded'),
      worst('box'),
    ];
  });
  return markdownTable(
    [
      'basis',
      'directions used',
      'max angle to the truth (worst run, rad)',
      'largest logit change, unbounded',
      'in [0, 1]',
    ],
    rows,
  );
}

/** Every table of the experiment's section of docs/RESULTS.md, as markdown (tables.md). */
export function mnistResultsTables(results: readonly MnistCellResult[]): string {
  const parts = [
    '### Recovery from each access level\n',
    recoveryTable(results),
    '### What each basis changes: the largest logit change an obfuscation caused\n',
    logitChangeTable(results),
  ];
  for (const variant of OBFUSCATION_VARIANTS) {
    const title = VARIANT_TITLE[variant];
    parts.push(
      `### Label kept, ${title} (mean over seeds), by the basis the noise avoids\n`,
      perScaleTable(results, variant, (f) => percent(f.labelKept)),
      `### Pixel correlation with the original · PSNR (dB), ${title} (mean over seeds)\n`,
      perScaleTable(results, variant, (f) => `${f.correlation.toFixed(2)} · ${f.psnr.toFixed(1)}`),
    );
  }
  return parts.join('\n');
}
