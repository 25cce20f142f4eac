import { norm2, type Matrix } from '../linalg/matrix.js';
import { projectOntoComplementInPlace } from '../linalg/orthonormal.js';
import { inputGradient } from '../nets/inputGradient.js';
import { outputDim, type Network } from '../nets/network.js';
import type { Rng } from '../random/rng.js';

/**
 * Share of a gradient's norm outside the span found so far below which it brings no new
 * direction: exact float64 gradients inside the span leave ~1e-15 of rounding, while a
 * direction weaker than 1e-9 relative sits below what finite differences in float64 can
 * resolve (~1e-8) anyway.
 */
export const EXACT_GRADIENT_RANK_TOL = 1e-9;

/**
 * Which first-layer units reach the output through a path of nonzero weights. A unit that does
 * not (e.g. all its outgoing weights are zero) never changes any score, so its row of A is
 * invisible to every query.
 */
export function liveFirstUnits(net: Network): boolean[] {
  const layers = net.layers;
  let live = new Array<boolean>(outputDim(net)).fill(true);
  for (let l = layers.length - 1; l >= 1; l--) {
    const w = layers[l].weight;
    const below = new Array<boolean>(w.cols).fill(false);
    for (let r = 0; r < w.rows; r++) {
      if (!live[r]) continue;
      for (let c = 0; c < w.cols; c++) if (w.data[r * w.cols + c] !== 0) below[c] = true;
    }
    live = below;
  }
  return live;
}

/** The rows of A (the first layer's weight) of the units that reach the output. */
export function liveFirstLayer(net: Network): Matrix {
  const a = net.layers[0].weight;
  const live = liveFirstUnits(net);
  const rows = live.flatMap((on, i) => (on ? [i] : []));
  const data = new Float64Array(rows.length * a.cols);
  rows.forEach((r, i) => data.set(a.data.subarray(r * a.cols, (r + 1) * a.cols), i * a.cols));
  return { rows: rows.length, cols: a.cols, data };
}

/**
 * Rank of the exact gradients of score 0 at up to `points` inputs x ~ N(0, scale² I): the span
 * a method querying there could see at best. It can fall below the structural rank when the net
 * is flat almost everywhere (e.g. a width-1 ReLU layer that is off at most inputs). Gradients
 * are taken one at a time and kept when they bring a new direction (Gram–Schmidt, twice
 * projected); the count stops early at `maxRank`, the most the weights allow.
 */
export function exactGradientRank(
  net: Network,
  points: number,
  scale: number,
  maxRank: number,
  rng: Rng,
): number {
  const n = net.layers[0].weight.cols;
  const pick = new Float64Array(outputDim(net));
  pick[0] = 1;
  const basis = new Float64Array(n * Math.min(maxRank, n));
  let rank = 0;
  for (let p = 0; p < points && rank < maxRank; p++) {
    const g = inputGradient(
      net,
      rng.gaussianVector(n).map((v) => v * scale),
      pick,
    );
    const size = norm2(g);
    if (size === 0) continue;
    projectOntoComplementInPlace({ rows: rank, cols: n, data: basis }, g);
    const news = norm2(g);
    if (news <= EXACT_GRADIENT_RANK_TOL * size) continue;
    basis.set(
      g.map((v) => v / news),
      rank * n,
    );
    rank += 1;
  }
  return rank;
}
