import { zeros } from '../src/linalg/matrix.js';
import { svdRight } from '../src/linalg/svd.js';
import type { Oracle } from '../src/oracle/oracle.js';
import type { Rng } from '../src/random/rng.js';
import { unit } from '../src/linalg/matrix.js';
import { BoundarySearch, type BoundaryPoint } from '../src/recover/boundarySearch.js';
import { RowStreamer } from '../src/recover/complementPoint.js';
import { rowsPerCallFor } from '../src/recover/measure.js';
import { defineMethod } from '../src/recover/method.js';
import type { RecoveryResult } from '../src/recover/result.js';

/**
 * A HopSkipJump-style Monte-Carlo baseline for the boundary method (bench only): at each
 * boundary point, the normal is estimated as the sign-weighted mean of random Gaussian
 * directions u_b, `Σ (s_b − s̄)·u_b` with s_b = ±1 the decision at x0 + η·u_b (Chen, Jordan &
 * Wainwright's gradient estimate at the boundary), until the budget is spent; the span is the
 * top `baselineRank` right singular vectors of the stacked unit estimates. Given the true rank,
 * at the same queries as ours, it shows what plain sign sampling reaches.
 */

/** Probe distance η from the boundary point, relative to the point scale. */
const PROBE_DISTANCE = 1e-3;

async function estimateNormal(
  streamer: RowStreamer,
  point: BoundaryPoint,
  eta: number,
  directions: number,
  rng: Rng,
): Promise<Float64Array | null> {
  const n = streamer.n;
  const us = Array.from({ length: directions }, () => unit(rng.gaussianVector(n)));
  const signs = new Float64Array(directions);
  const ok = await streamer.stream(
    directions,
    (r, row) => {
      for (let j = 0; j < n; j++) row[j] = point.x[j] + eta * us[r][j];
    },
    (first, out) => {
      for (let r = 0; r < out.rows; r++) {
        signs[first + r] = out.data[r * out.cols] === point.highDecision ? 1 : -1;
      }
    },
  );
  if (!ok) return null;
  const mean = signs.reduce((a, b) => a + b, 0) / directions;
  const g = new Float64Array(n);
  us.forEach((u, b) => {
    for (let j = 0; j < n; j++) g[j] += (signs[b] - mean) * u[j];
  });
  return unit(g);
}

export const hsjBaselineMethod = defineMethod({
  name: 'hsj-baseline',
  summary: 'bench only: Monte-Carlo sign-sampled normals at boundary points, until the budget',
  accepts: (access) => access.kind === 'label' || access.kind === 'threshold',
  autoPriority: 0,
  options: [
    {
      key: 'baselineRank',
      placeholder: 'k',
      kind: 'integer',
      min: 1,
      description: 'bench only: the rank to keep (the true one)',
    },
  ],
  run: async (oracle: Oracle, rng, options): Promise<RecoveryResult> => {
    const n = oracle.inputDim;
    const streamer = new RowStreamer(oracle, n, rowsPerCallFor(n));
    const search = new BoundarySearch(streamer, rng);
    const normals: Float64Array[] = [];
    for (;;) {
      const point = await search.next();
      if (point === null || point === 'flat') break;
      const g = await estimateNormal(streamer, point, PROBE_DISTANCE * search.scale, n, rng);
      if (g === null) break;
      normals.push(g);
    }
    const stacked = zeros(normals.length, n);
    normals.forEach((g, i) => stacked.data.set(g, i * n));
    const d = svdRight(stacked);
    const rank = Math.min(options.baselineRank ?? 1, d.s.length);
    return {
      method: 'hsj-baseline',
      basis: { rows: rank, cols: n, data: d.vt.data.slice(0, rank * n) },
      rank,
      singularValues: d.s,
      rankGapRatio: rank < d.s.length ? d.s[rank - 1] / d.s[rank] : Infinity,
      stopReason: 'budget',
      pointScale: search.scale,
      details: { normals: normals.length, directionsPerNormal: n },
    };
  },
});
