import type { Activation } from '../nets/network.js';

/** The recovery methods the experiments run: the paper's gradient method, ours, and bits. */
export const EXPERIMENT_METHODS = ['gradient', 'adaptive', 'boundary'] as const;
export type ExperimentMethod = (typeof EXPERIMENT_METHODS)[number];

/** The activations of the paper's random networks, plus leaky ReLU. */
export const EXPERIMENT_ACTIVATIONS: readonly Activation[] = ['relu', 'leaky', 'tanh', 'sigmoid'];

/**
 * One run of a random-network experiment: a network n → k → width × depth → 1, drawn from
 * `seed` (the same network for every method), recovered by `method` from its one score —
 * or, for the boundary method, from one bit: that score above its median.
 */
export interface RandomCell {
  readonly n: number;
  readonly k: number;
  /** Hidden layers after the first (each `width` units wide). */
  readonly depth: number;
  readonly width: number;
  readonly activation: Activation;
  readonly bias: boolean;
  /** First-layer units with all-zero outgoing weights (never reach the output). */
  readonly deadUnits: number;
  readonly seed: number;
  readonly method: ExperimentMethod;
}

/** A stable identity of a cell: resuming skips the cells whose key is already stored. */
export function cellKey(c: RandomCell): string {
  const bias = c.bias ? 'bias' : 'nobias';
  return `n${c.n}-k${c.k}-d${c.depth}-w${c.width}-${c.activation}-${bias}-dead${c.deadUnits}-s${c.seed}-${c.method}`;
}

/** The axes of a grid; every combination is a cell (the dead-unit nets are a separate sweep). */
export interface RandomGridSpec {
  readonly shapes: readonly { readonly n: number; readonly k: number }[];
  readonly depths: readonly number[];
  readonly widths: readonly number[];
  readonly activations: readonly Activation[];
  readonly biases: readonly boolean[];
  /** Nets built so that full recovery is impossible: these dead-unit counts, on `deadNet`. */
  readonly deadUnits: readonly number[];
  readonly deadNet: { readonly n: number; readonly k: number; depth: number; width: number };
}

/**
 * The full grid of docs/RESULTS.md: 3,096 runs for three seeds, about 5 minutes of CPU time.
 * Widths run from 1 (a single unit: unrealistically thin) to 64 (wider than every k); the
 * shapes vary n and k while keeping k(n − k) — the queries any method needs — small enough for
 * that many runs.
 */
export const FULL_GRID: RandomGridSpec = {
  shapes: [
    { n: 100, k: 20 },
    { n: 100, k: 50 },
    { n: 200, k: 20 },
  ],
  depths: [1, 2, 4],
  widths: [1, 2, 4, 8, 16, 32, 64],
  activations: EXPERIMENT_ACTIVATIONS,
  biases: [true, false],
  deadUnits: [1, 10, 25],
  deadNet: { n: 100, k: 50, depth: 2, width: 64 },
};

/**
 * The quick grid: a CI-sized check of the same claims (272 runs, seconds on 2 cores); one
 * shape, the thinnest widths, a thin one and a wide one, two depths.
 */
export const QUICK_GRID: RandomGridSpec = {
  shapes: [{ n: 40, k: 12 }],
  depths: [2, 4],
  widths: [1, 2, 4, 32],
  activations: EXPERIMENT_ACTIVATIONS,
  biases: [true, false],
  deadUnits: [3],
  deadNet: { n: 40, k: 12, depth: 2, width: 32 },
};

/** Default seeds per grid: enough to see the spread, few enough for the time budget. */
export const DEFAULT_SEEDS = { full: 3, quick: 2 } as const;

/**
 * The bit grid of `experiment threshold`: the boundary method costs ~30× the floor in
 * queries and far more time per run than the adaptive method, so one shape, over the same
 * depths, widths, activations and biases (528 runs for three seeds, ~8 minutes on 2 cores).
 */
export const THRESHOLD_FULL_GRID: RandomGridSpec = {
  shapes: [{ n: 100, k: 20 }],
  depths: [1, 2, 4],
  widths: [1, 2, 4, 8, 16, 32, 64],
  activations: EXPERIMENT_ACTIVATIONS,
  biases: [true, false],
  deadUnits: [1, 5],
  deadNet: { n: 100, k: 20, depth: 2, width: 32 },
};

/** The quick bit grid: the random quick grid's widths on a smaller shape, one depth. */
export const THRESHOLD_QUICK_GRID: RandomGridSpec = {
  shapes: [{ n: 30, k: 8 }],
  depths: [2],
  widths: [1, 2, 32],
  activations: EXPERIMENT_ACTIVATIONS,
  biases: [true, false],
  deadUnits: [2],
  deadNet: { n: 30, k: 8, depth: 2, width: 32 },
};

/** A grid experiment: its name (subcommand, output folder, doc markers), methods and grids. */
export interface GridExperiment {
  readonly name: 'random' | 'threshold';
  readonly methods: readonly ExperimentMethod[];
  readonly full: RandomGridSpec;
  readonly quick: RandomGridSpec;
}

/** The paper's experiment on random networks: one score per query, its method beside ours. */
export const RANDOM_EXPERIMENT: GridExperiment = {
  name: 'random',
  methods: ['gradient', 'adaptive'],
  full: FULL_GRID,
  quick: QUICK_GRID,
};

/** The same networks answering one bit per query, recovered by the boundary method. */
export const THRESHOLD_EXPERIMENT: GridExperiment = {
  name: 'threshold',
  methods: ['boundary'],
  full: THRESHOLD_FULL_GRID,
  quick: THRESHOLD_QUICK_GRID,
};

/**
 * Every cell of `spec` for seeds 1..seeds and each of `methods`; ordered so each network's
 * runs are adjacent.
 */
export function gridCells(
  spec: RandomGridSpec,
  seeds: number,
  methods: readonly ExperimentMethod[],
): RandomCell[] {
  const cells: RandomCell[] = [];
  const both = (net: Omit<RandomCell, 'method'>): void => {
    for (const method of methods) cells.push({ ...net, method });
  };
  for (let seed = 1; seed <= seeds; seed++) {
    for (const { n, k } of spec.shapes)
      for (const depth of spec.depths)
        for (const width of spec.widths)
          for (const activation of spec.activations)
            for (const bias of spec.biases)
              both({ n, k, depth, width, activation, bias, deadUnits: 0, seed });
    for (const deadUnits of spec.deadUnits)
      for (const activation of spec.activations)
        both({ ...spec.deadNet, activation, bias: true, deadUnits, seed });
  }
  return cells;
}
