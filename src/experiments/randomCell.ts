import { compareSubspaces } from '../linalg/principalAngles.js';
import { forward, type Network } from '../nets/network.js';
import type { AccessLevel } from '../oracle/access.js';
import { randomNetwork } from '../nets/randomNetwork.js';
import { NetworkOracle } from '../oracle/networkOracle.js';
import { Rng } from '../random/rng.js';
import type { Verdict } from '../recover/certificate.js';
import { recoverSpan } from '../recover/recoverSpan.js';
import type { RandomCell } from './randomGrid.js';
import { exactGradientRank, liveFirstLayer } from './recoverableRank.js';

/** What one run measured; with the cell's own fields, one line of the results. */
export interface RandomCellResult extends RandomCell {
  /** Rank the method reported. */
  readonly rank: number;
  /**
   * The true recoverable rank as the weights bound it: rank of the rows of A whose units reach
   * the output through nonzero weights (k − D with D dead units). An upper bound: a ReLU can
   * also block a unit everywhere (a thin net that is constant), which no weight shows.
   */
  readonly trueRank: number;
  /**
   * Rank of exact gradients at up to 40k + 200 points x ~ N(0, I), where both methods start:
   * what that distribution shows at all, a lower bound on what is recoverable. (The adaptive
   * method also tries other scales when nothing responds, so it can find more.)
   */
  readonly gradientRank: number;
  /** Largest principal angle between the recovered span and the recoverable rows of A. */
  readonly maxAngleRad: number;
  readonly queries: number;
  /** queries ÷ (k(n − k) + k), the floor for one real output per query. */
  readonly queriesOverFloor: number;
  /** The method finished and the certificate found the span complete. */
  readonly complete: boolean;
  readonly certificate: Verdict;
  readonly stopReason: string;
  readonly seconds: number;
}

/** The experiment's network for a cell: the same for both methods (drawn from the seed alone). */
export function cellNetwork(c: RandomCell): Network {
  return randomNetwork(
    {
      inputDim: c.n,
      firstWidth: c.k,
      hiddenWidths: new Array<number>(c.depth).fill(c.width),
      outputs: 1,
      activation: c.activation,
      bias: c.bias,
      deadUnits: c.deadUnits,
    },
    new Rng(c.seed),
  );
}

/**
 * Points at which the exact gradients are taken, per first-layer unit (plus a few spare):
 * more points than either method measures, so a direction they find at N(0, I) shows here too.
 */
const GRADIENT_POINTS_PER_UNIT = 40;
const GRADIENT_SPARE_POINTS = 200;
/** Scale of those points: the standard normal inputs both methods start from. */
const GRADIENT_POINT_SCALE = 1;

/** Inputs ~ N(0, I) whose outputs the bit's threshold splits most evenly. */
const THRESHOLD_SAMPLE = 201;
/**
 * Budget of a bit run, in floors k(n − k) + k: a guard against a run that cannot finish, not
 * a target. The boundary method needs ~30 floors at n = 100, k = 20 (docs/METHOD.md) and up
 * to 85 on the quick grid's n = 30, k = 8, where its fixed costs (search, certificate) weigh
 * more against a floor of 184 queries.
 */
export const BIT_BUDGET_FLOORS = 120;

/**
 * The access a cell's method reads: for the boundary method one bit, the score above a
 * threshold that splits sample outputs most evenly — their median, unless ties hold the median
 * (a thin ReLU net is constant on most inputs), then the cut between distinct values nearest
 * to it, so both bits occur.
 */
export function cellAccess(c: RandomCell, net: Network): AccessLevel {
  if (c.method !== 'boundary') return { kind: 'score', index: 0 };
  const rng = new Rng(c.seed + 1);
  const inputs = {
    rows: THRESHOLD_SAMPLE,
    cols: c.n,
    data: rng.gaussianVector(THRESHOLD_SAMPLE * c.n),
  };
  return { kind: 'threshold', index: 0, threshold: evenestCut(forward(net, inputs).data) };
}

/** The midpoint between consecutive distinct values that leaves the counts on each side closest. */
export function evenestCut(values: Float64Array): number {
  const v = Array.from(values).sort((a, b) => a - b);
  let best = v[0];
  let bestImbalance = Infinity;
  for (let i = 1; i < v.length; i++) {
    if (v[i] === v[i - 1]) continue;
    const imbalance = Math.abs(v.length - 2 * i); // i values below the cut
    if (imbalance < bestImbalance) [best, bestImbalance] = [(v[i - 1] + v[i]) / 2, imbalance];
  }
  return best; // all equal: a constant net, whose bit never changes
}

/**
 * Run one cell: the paper's setting — one real score per query (`score:0` on a one-output
 * net), or one bit for the boundary method, float64 in process — then measure against the
 * known weights.
 */
export async function runRandomCell(c: RandomCell): Promise<RandomCellResult> {
  const net = cellNetwork(c);
  const floor = c.k * (c.n - c.k) + c.k;
  const summary = await recoverSpan(new NetworkOracle(net), {
    method: c.method,
    access: cellAccess(c, net),
    seed: c.seed,
    budget: c.method === 'boundary' ? BIT_BUDGET_FLOORS * floor : null,
  });
  const live = liveFirstLayer(net);
  const cmp = compareSubspaces(summary.result.basis, live);
  const points = GRADIENT_POINTS_PER_UNIT * c.k + GRADIENT_SPARE_POINTS;
  return {
    ...c,
    rank: summary.result.rank,
    trueRank: cmp.dimB,
    gradientRank: exactGradientRank(net, points, GRADIENT_POINT_SCALE, cmp.dimB, new Rng(c.seed)),
    maxAngleRad: cmp.maxAngle,
    queries: summary.queries,
    queriesOverFloor: summary.queries / floor,
    complete: summary.complete,
    certificate: summary.certificate.verdict,
    stopReason: summary.result.stopReason,
    seconds: summary.seconds,
  };
}
