import { UserError } from '../errors.js';
import { fromRows, norm2, type Matrix } from '../linalg/matrix.js';
import type { Rng } from '../random/rng.js';
import type { NearBoundary } from './certificate.js';
import type { RowStreamer } from './complementPoint.js';

/**
 * Points on a decision boundary, from decisions alone (the paper's method 2, step 1): random
 * Gaussian points until two disagree (two bits, or two labels), then bisection along the
 * segment between them. With labels the segment may pass through other classes; the bisection
 * keeps any two adjacent points that disagree, so it ends between two classes that touch.
 * Given seed inputs, the search first looks at them and at random moves around them.
 */
export interface BoundaryPoint {
  /** A point on the boundary, to within the search's halvings of the segment. */
  readonly x: Float64Array;
  /** Unit direction from the low side to the high side. */
  readonly direction: Float64Array;
  /** Decision just below (`x − ε·direction`) and just above. */
  readonly lowDecision: number;
  readonly highDecision: number;
  /** The segment's start and the final bracket along it (where the flip lies). */
  readonly segment: { readonly origin: Float64Array; readonly lo: number; readonly hi: number };
}

/**
 * Halvings of a segment for a point that is only looked at: its ends then lie 2^-30 (~1e-8) of
 * the segment's length (~14 at n = 100) apart, far below the brackets of the coarse looks
 * (one-sided, 2^-8 of a component at offset 1e-5: ~4e-9 of the ratio unit), which that offset
 * shifts by ~1 resolution at most.
 */
export const LOOK_SEGMENT_STEPS = 30;

/**
 * Halvings of a segment for a point that is measured: its ends then lie 2^-44 (6e-14) of its
 * length apart. The −δ side of a symmetric measurement is bracketed around the mirror image of
 * the +δ side's crossing, which is exact only for a point on the boundary: its offset along the
 * segment must stay below the finest crossing resolution used (offset 1e-5 times 2^-20 of a
 * component), as must a one-sided measurement's, which reads it as error.
 */
export const SEGMENT_STEPS = 44;

/** Random points drawn at one scale without finding two decisions before the next scale. */
export const SEARCH_PATIENCE = 32;

/**
 * Scales of the random points tried in turn: a model whose decision is the same for every
 * point at one scale may show its boundary nearer to or farther from the origin.
 */
export const SEARCH_SCALES = [1, 10, 0.1, 100, 0.01];

/**
 * Moves around a seed, relative to the seeds' RMS entry, tried in turn for each seed: small
 * moves keep the seed's decision, larger ones cross the boundary, so the points that disagree
 * surround each seed's region from many sides (varied normals), not only along the segments
 * between the seeds.
 */
export const SEED_MOVE_SCALES = [1 / 8, 1 / 4, 1 / 2, 1, 2];

/** A point whose decision is known. */
interface Decided {
  readonly x: Float64Array;
  readonly decision: number;
}

/** Random points already decided, and the scale in use. */
export class BoundarySearch {
  private pool: Decided[] = [];
  /** Seeds decided so far: partners at every scale. */
  private readonly seedPoints: Decided[] = [];
  private misses = 0;
  scaleIndex = 0;
  /** Random points (seeds and moves around them included) that reached the model. */
  drawn = 0;
  /** Seeds and moves around them drawn; the search is among them while `seeded`. */
  private seedDraws = 0;
  private seeded: boolean;
  /** RMS entry of the seeds: the scale of the points while seeded. */
  private readonly seedScale: number;

  constructor(
    private readonly streamer: RowStreamer,
    private readonly rng: Rng,
    private readonly seeds?: Matrix,
  ) {
    this.seeded = seeds !== undefined && seeds.rows > 0;
    const data = seeds?.data ?? new Float64Array(0);
    const rms = Math.sqrt(data.reduce((sum, v) => sum + v * v, 0) / Math.max(1, data.length));
    this.seedScale = rms > 0 ? rms : 1;
  }

  get scale(): number {
    return this.seeded ? this.seedScale : SEARCH_SCALES[this.scaleIndex];
  }

  /**
   * The next boundary point, from a fresh point and an earlier one (or a seed) that disagrees
   * with it; null when the budget ran out, or when no scale showed two decisions ('flat').
   * Fresh points are the seeds, then random moves around them, then (when all of those agree)
   * Gaussian points at each of {@link SEARCH_SCALES}.
   */
  async next(): Promise<BoundaryPoint | 'flat' | null> {
    for (;;) {
      const { x, isSeed } = this.draw();
      const decision = await this.decide(x);
      if (decision === null) return null;
      this.drawn++;
      const others = [...this.seedPoints, ...this.pool].filter((p) => p.decision !== decision);
      (isSeed ? this.seedPoints : this.pool).push({ x, decision });
      if (others.length > 0) {
        const partner = others[this.rng.int(others.length)];
        return this.bisect(partner.x, partner.decision, x, decision);
      }
      if (this.seeded) {
        // The seeds, then patience at each move scale, all agreeing: search at random.
        const patience = (this.seeds?.rows ?? 0) + SEARCH_PATIENCE * SEED_MOVE_SCALES.length;
        if (++this.misses < patience) continue;
        this.seeded = false;
      } else {
        if (++this.misses < SEARCH_PATIENCE) continue;
        if (this.scaleIndex + 1 === SEARCH_SCALES.length) return 'flat';
        this.scaleIndex++;
      }
      this.pool = [];
      this.misses = 0;
    }
  }

  /** The next fresh point: a seed, a move around one (each seed, scales in turn), or random. */
  private draw(): { x: Float64Array; isSeed: boolean } {
    const n = this.streamer.n;
    const seeds = this.seeds;
    if (!this.seeded || seeds === undefined) {
      const x = this.rng.gaussianVector(n);
      for (let j = 0; j < x.length; j++) x[j] *= this.scale;
      return { x, isSeed: false };
    }
    const k = this.seedDraws++;
    if (k < seeds.rows) return { x: seeds.data.slice(k * n, (k + 1) * n), isSeed: true };
    const move = k - seeds.rows;
    const row = Math.floor(move / SEED_MOVE_SCALES.length) % seeds.rows;
    const sigma = SEED_MOVE_SCALES[move % SEED_MOVE_SCALES.length] * this.seedScale;
    const x = this.rng.gaussianVector(n);
    for (let j = 0; j < n; j++) x[j] = seeds.data[row * n + j] + sigma * x[j];
    return { x, isSeed: false };
  }

  private async decide(x: Float64Array): Promise<number | null> {
    let decision = NaN;
    const ok = await this.streamer.stream(
      1,
      (_, row) => row.set(x),
      (_, out) => {
        decision = out.data[0];
      },
    );
    return ok ? decision : null;
  }

  /** Bisect [a, b] keeping ends that disagree, {@link LOOK_SEGMENT_STEPS} times. */
  private async bisect(
    a: Float64Array,
    da: number,
    b: Float64Array,
    db: number,
  ): Promise<BoundaryPoint | null> {
    const n = a.length;
    const direction = new Float64Array(n);
    for (let j = 0; j < n; j++) direction[j] = b[j] - a[j];
    const length = norm2(direction);
    for (let j = 0; j < n; j++) direction[j] /= length;
    const start = {
      x: a,
      direction,
      lowDecision: da,
      highDecision: db,
      segment: { origin: a, lo: 0, hi: length },
    };
    return this.halve(start, LOOK_SEGMENT_STEPS);
  }

  /** The same boundary point, its segment halved to {@link SEGMENT_STEPS} in all. */
  refine(point: BoundaryPoint): Promise<BoundaryPoint | null> {
    return this.halve(point, SEGMENT_STEPS - LOOK_SEGMENT_STEPS);
  }

  private async halve(point: BoundaryPoint, steps: number): Promise<BoundaryPoint | null> {
    const { origin } = point.segment;
    let { lo, hi } = point.segment;
    const low = point.lowDecision;
    let high = point.highDecision;
    const at = (t: number) => origin.map((v, j) => v + t * point.direction[j]);
    for (let s = 0; s < steps; s++) {
      const mid = (lo + hi) / 2;
      const d = await this.decide(at(mid));
      if (d === null) return null;
      if (d === low) {
        lo = mid;
      } else {
        hi = mid;
        high = d;
      }
    }
    return {
      x: at((lo + hi) / 2),
      direction: point.direction,
      lowDecision: low,
      highDecision: high,
      segment: { origin, lo, hi },
    };
  }
}

/**
 * Fresh boundary points for the certificate, each giving a base point just below and one just
 * above the boundary ({@link CERTIFY_MARGIN} away); undefined when the budget or the model
 * leaves none. Fresh, because the normals at the points measured lie in the span by
 * construction.
 */
export async function certificatePoints(search: BoundarySearch): Promise<NearBoundary | undefined> {
  const rows: Float64Array[] = [];
  for (let p = 0; p < CERTIFY_POINTS; p++) {
    let point;
    try {
      point = await search.next();
    } catch (e) {
      if (e instanceof UserError) break; // the span stands; the certificate says less
      throw e;
    }
    if (point === null || point === 'flat') break;
    const eta = CERTIFY_MARGIN * search.scale;
    for (const side of [-1, 1])
      rows.push(point.x.map((v, j) => v + side * eta * point.direction[j]));
  }
  if (rows.length === 0) return undefined;
  return { points: fromRows(rows), moveNorm: CERTIFY_MOVE * search.scale };
}

/**
 * Boundary points found for the certificate, their distance from the boundary and the length
 * of the certificate's moves, relative to the point scale. A move of length L orthogonal to a
 * span with error θ changes the score by about θ·L·‖∇f‖, against the margin η·(∇f·d): at
 * η = 1e-3 and L = 0.1 a span with θ up to ~1e-3 / ‖ĝ‖ (‖ĝ‖ = ‖∇f‖/∇f·d, ~10 on the nets
 * measured) passes, while a random move of that length changes the score by ~L·‖∇f‖/√n,
 * about 100× the margin at n = 100, and flips half the time.
 */
export const CERTIFY_POINTS = 4;
export const CERTIFY_MARGIN = 1e-3;
export const CERTIFY_MOVE = 0.1;
