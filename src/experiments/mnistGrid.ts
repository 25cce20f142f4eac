/**
 * The MNIST experiment's cells: span recovery on the bundled 784-128-64-10 model from each
 * access level, then obfuscation of held-out digits with the basis each run found, beside the
 * model's true first layer.
 */
import { row, type Matrix } from '../linalg/matrix.js';
import { formatAccess, type AccessLevel } from '../oracle/access.js';

/** The basis source that is not a recovery: the model's own first-layer weights. */
export const TRUE_BASIS = 'true';

/**
 * One run: a recovery from access level `source` (or none, for {@link TRUE_BASIS}), then
 * obfuscations of the first `digits` held-out digits at each of `scales` unbounded and at each
 * of `boxScales` inside the pixel box [0, 1]. Everything the run depends on is here, so the key
 * names it whole.
 */
export interface MnistCell {
  /** `true`, or the access level of the recovery as `--access` writes it (`threshold:0:-4.14`). */
  readonly source: string;
  /** Query budget of the recovery (certificate included); null for none. */
  readonly budget: number | null;
  /** Seed of the recovery and of the obfuscations' noise. */
  readonly seed: number;
  readonly digits: number;
  /** Noise norms of the unbounded obfuscations, relative to each digit's norm. */
  readonly scales: readonly number[];
  /** Noise norms of the obfuscations inside [0, 1] (empty: none). */
  readonly boxScales: readonly number[];
}

/** A stable identity of a cell: resuming skips the cells whose key is already stored. */
export function mnistCellKey(c: MnistCell): string {
  const budget = c.budget === null ? 'nobudget' : `budget${c.budget}`;
  const scales = `scales${c.scales.join('_')}-box${c.boxScales.join('_')}`;
  return `${c.source}-${budget}-s${c.seed}-digits${c.digits}-${scales}`;
}

/** The class whose logit `score:I` and the thresholded bit read (digit 0; any class would do). */
export const READ_CLASS = 0;
/** Decimals the threshold is rounded to, so the access level reads as it is used. */
const THRESHOLD_DECIMALS = 2;

/**
 * The thresholded bit's threshold: the median of logit `index` over held-out digits' scores
 * (`count × m`), rounded to {@link THRESHOLD_DECIMALS} decimals. The bit then says whether a
 * digit looks more like class `index` than the typical real digit does, a coin flip over real
 * inputs; on the bundled model the same threshold splits Gaussian inputs, where the boundary
 * method starts, 43 : 57 (measured on 4,000), so it finds boundary points at once.
 */
export function medianLogitThreshold(scores: Matrix, index: number): number {
  const values = Array.from({ length: scores.rows }, (_, i) => row(scores, i)[index]).sort(
    (a, b) => a - b,
  );
  const mid = values.length >> 1;
  const median = values.length % 2 === 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
  const unit = 10 ** THRESHOLD_DECIMALS;
  return Math.round(median * unit) / unit;
}

/** The axes of a grid: which recoveries, and the obfuscations every run makes. */
export interface MnistGridSpec {
  /** The recoveries, each with its budget (null: none); a threshold level's T is filled in by the run. */
  readonly recoveries: readonly {
    readonly access: 'scores' | 'score' | 'label' | 'threshold';
    readonly budget: number | null;
  }[];
  readonly scales: readonly number[];
  /** Scales of the obfuscations inside [0, 1], made with the bases of {@link BOX_SOURCES} only. */
  readonly boxScales: readonly number[];
  readonly digits: number;
}

/**
 * The sources whose bases are also used inside the pixel box: the truth and the best recovery.
 * The box costs Dykstra's projections, ~0.2 s per digit at scale 1 and ~1 s at 8 on 2 busy
 * cores, against milliseconds unbounded; and a recovery's basis within 1e-8 rad of the truth
 * obfuscates like the truth.
 */
export const BOX_SOURCES: readonly string[] = [TRUE_BASIS, 'scores'];

/**
 * The full grid: every access level to completion. The scales run from noise half a digit's
 * norm, which plain noise already survives mostly, to 8×, where a person sees only noise.
 */
export const FULL_MNIST_GRID: MnistGridSpec = {
  recoveries: [
    { access: 'scores', budget: null },
    { access: 'score', budget: null },
    { access: 'label', budget: null },
    { access: 'threshold', budget: null },
  ],
  scales: [0.5, 1, 2, 3, 5, 8],
  boxScales: [1, 3, 8],
  digits: 100,
};

/**
 * Queries of the quick grid's label run: about 5 % of what a full label recovery takes
 * (~2.3 M), enough for some tens of directions in a few seconds.
 */
export const QUICK_LABEL_BUDGET = 100_000;

/**
 * The quick grid: a full recovery from all scores (seconds) and a budget-limited one from
 * labels, obfuscating 20 digits at two scales (one in the box); checks the same claims in
 * well under a minute.
 */
export const QUICK_MNIST_GRID: MnistGridSpec = {
  recoveries: [
    { access: 'scores', budget: null },
    { access: 'label', budget: QUICK_LABEL_BUDGET },
  ],
  scales: [1, 3],
  boxScales: [1],
  digits: 20,
};

/**
 * Default seeds per grid. A seed of the full grid takes about 10 minutes on 2 busy cores (a
 * label or bit recovery ~2.3 M queries in 1.5–3 min each, the box obfuscations ~3 min per
 * basis): two show the spread within the time a reader will wait.
 */
export const DEFAULT_MNIST_SEEDS = { full: 2, quick: 1 } as const;

/** The access level of a grid recovery, with the output index and the bit's threshold filled in. */
export function gridAccess(
  kind: MnistGridSpec['recoveries'][number]['access'],
  threshold: number,
): AccessLevel {
  switch (kind) {
    case 'scores':
      return { kind };
    case 'label':
      return { kind };
    case 'score':
      return { kind, index: READ_CLASS };
    case 'threshold':
      return { kind, index: READ_CLASS, threshold };
  }
}

/**
 * Every cell of `spec` for seeds 1..seeds: the true basis first (no queries but the
 * obfuscations'), then the recoveries from the most revealing access level to the least.
 */
export function mnistGridCells(spec: MnistGridSpec, seeds: number, threshold: number): MnistCell[] {
  const cells: MnistCell[] = [];
  const cell = (source: string, budget: number | null, seed: number): MnistCell => ({
    source,
    budget,
    seed,
    digits: spec.digits,
    scales: spec.scales,
    boxScales: BOX_SOURCES.includes(source) ? spec.boxScales : [],
  });
  for (let seed = 1; seed <= seeds; seed++) {
    cells.push(cell(TRUE_BASIS, null, seed));
    for (const r of spec.recoveries) {
      cells.push(cell(formatAccess(gridAccess(r.access, threshold)), r.budget, seed));
    }
  }
  return cells;
}
