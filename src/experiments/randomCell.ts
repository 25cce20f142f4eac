import { compareSubspaces } from '../linalg/principalAngles.js';
import type { Network } from '../nets/network.js';
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

/**
 * Run one cell: the paper's setting — one real score per query (`score:0` on a one-output
 * net), float64 in process — then measure against the known weights.
 */
export async function runRandomCell(c: RandomCell): Promise<RandomCellResult> {
  const net = cellNetwork(c);
  const summary = await recoverSpan(new NetworkOracle(net), {
    method: c.method,
    access: { kind: 'score', index: 0 },
    seed: c.seed,
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
    queriesOverFloor: summary.queries / (c.k * (c.n - c.k) + c.k),
    complete: summary.complete,
    certificate: summary.certificate.verdict,
    stopReason: summary.result.stopReason,
    seconds: summary.seconds,
  };
}
