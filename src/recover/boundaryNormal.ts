import type { BoundaryPoint } from './boundarySearch.js';
import type { RowStreamer } from './complementPoint.js';
import { locateCrossings, type Line, type SideOf } from './crossing.js';

/**
 * Components of a boundary point's normal from decisions alone (the paper's method 2, step 2).
 *
 * At a boundary point x0 with f(x0) = T and a direction d that crosses the boundary, moving x0
 * by δ·u shifts the crossing along d to `t(δ) = −δ·(∇f·u)/(∇f·d) + c_u·δ² + O(δ³)`. Bisection
 * along d finds t(δ) from decisions, so the ratio `∇f·u / ∇f·d` follows with a precision that
 * doubles with every query. Measured at +δ and −δ, the curvature term c_u·δ² cancels:
 * `(t(−δ) − t(+δ)) / 2δ` is the ratio to O(δ²), and `(t(+δ) + t(−δ)) / 2δ` (the asymmetry) is
 * c_u·δ — or, when a ReLU kink lies between the two offsets, the jump of the ratio between the
 * two linear pieces, which marks the measurement as straddling.
 *
 * Ratios are in units of `1 / ∇f·d`: the normal's direction, not its size, is what the span
 * needs, and every ratio of one point shares that unit.
 */
export interface RatioRequest {
  /** Offset length δ, in input units. */
  readonly offset: number;
  /** Bracket of each ratio: centre and half-width (guessed ends are checked and widened). */
  readonly centres: Float64Array;
  readonly halfWidths: Float64Array;
  /** Resolution of each ratio (its final bracket's width, in ratio units). */
  readonly resolutions: Float64Array;
  /**
   * Half-width of the −δ side's guessed bracket, centred on the mirror of the +δ side; by
   * default {@link MIRROR_SHARE} of the first side's.
   */
  readonly mirrorHalfWidths?: Float64Array;
  /** Measure at −δ too (curvature cancelled, straddles visible); else +δ only. */
  readonly symmetric: boolean;
}

export interface Ratios {
  /** `∇f·u / ∇f·d` for each direction u; NaN where a line failed (another class, too far). */
  readonly ratios: Float64Array;
  /** `(t(+δ) + t(−δ)) / 2δ`: curvature, or a straddled kink; 0 for one-sided measurements. */
  readonly asymmetry: Float64Array;
  /** Bracket expansions spent (guessed brackets that were too narrow). */
  readonly expansions: number;
}

/**
 * Of the mirror side's bracket (centred on −t(+δ)), the largest half-width, as a share of the
 * first side's: the two sides differ only by curvature (c_u·δ², small against δ·ratio) or a
 * straddle, so a narrow guessed bracket saves bits; a wider difference costs an expansion.
 */
export const MIRROR_SHARE = 1 / 64;

/** The decision of `point`'s two sides as 0 (low), 1 (high) or neither. */
export function sidesOf(point: BoundaryPoint): SideOf {
  return (answer) => (answer === point.highDecision ? 1 : answer === point.lowDecision ? 0 : null);
}

/** Ratios of the normal at `point` along `directions`; null when the budget ran out. */
export async function measureRatios(
  streamer: RowStreamer,
  point: BoundaryPoint,
  directions: readonly Float64Array[],
  request: RatioRequest,
): Promise<Ratios | null> {
  const delta = request.offset;
  const line = (u: Float64Array, offset: number, centre: number, half: number, res: number) => ({
    base: point.x,
    along: u,
    offset,
    direction: point.direction,
    lo: centre - half,
    hi: centre + half,
    resolution: res,
    loVerified: false,
    hiVerified: false,
  });
  const plus: Line[] = directions.map((u, i) =>
    line(
      u,
      delta,
      -delta * request.centres[i],
      delta * request.halfWidths[i],
      delta * request.resolutions[i],
    ),
  );
  const sides = sidesOf(point);
  const up = await locateCrossings(streamer, plus, sides);
  if (up === null) return null;
  let expansions = up.reduce((s, c) => s + c.expansions, 0);
  const count = directions.length;
  const ratios = new Float64Array(count);
  const asymmetry = new Float64Array(count);
  if (!request.symmetric) {
    up.forEach((c, i) => (ratios[i] = -c.t / delta));
    return { ratios, asymmetry, expansions };
  }
  const minus: Line[] = directions.map((u, i) =>
    line(
      u,
      -delta,
      Number.isNaN(up[i].t) ? 0 : -up[i].t,
      delta *
        Math.max(
          request.resolutions[i],
          Math.min(request.mirrorHalfWidths?.[i] ?? Infinity, MIRROR_SHARE * request.halfWidths[i]),
        ),
      delta * request.resolutions[i],
    ),
  );
  const down = await locateCrossings(streamer, minus, sides);
  if (down === null) return null;
  expansions += down.reduce((s, c) => s + c.expansions, 0);
  for (let i = 0; i < count; i++) {
    ratios[i] = (down[i].t - up[i].t) / (2 * delta);
    asymmetry[i] = (down[i].t + up[i].t) / (2 * delta);
  }
  return { ratios, asymmetry, expansions };
}
