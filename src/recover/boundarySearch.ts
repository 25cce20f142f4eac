import { norm2 } from '../linalg/matrix.js';
import type { Rng } from '../random/rng.js';
import type { RowStreamer } from './complementPoint.js';

/**
 * Points on a decision boundary, from decisions alone (the paper's method 2, step 1): random
 * Gaussian points until two disagree (two bits, or two labels), then bisection along the
 * segment between them. With labels the segment may pass through other classes; the bisection
 * keeps any two adjacent points that disagree, so it ends between two classes that touch.
 */
export interface BoundaryPoint {
  /** A point on the boundary, to within the search's halvings of the segment. */
  readonly x: Float64Array;
  /** Unit direction from the low side to the high side. */
  readonly direction: Float64Array;
  /** Decision just below (`x − ε·direction`) and just above. */
  readonly lowDecision: number;
  readonly highDecision: number;
}

/**
 * Halvings of a segment: its ends then lie 2^-44 (6e-14) of its length apart. The −δ side of a
 * symmetric measurement is bracketed around the mirror image of the +δ side's crossing, which
 * is exact only for a point on the boundary: its offset along the segment must stay below the
 * finest crossing resolution used (offset 1e-5 times 2^-20 of a component), as must a
 * one-sided measurement's, which reads it as error.
 */
export const SEGMENT_STEPS = 44;

/** Random points drawn at one scale without finding two decisions before the next scale. */
export const SEARCH_PATIENCE = 32;

/**
 * Scales of the random points tried in turn: a model whose decision is the same for every
 * point at one scale may show its boundary nearer to or farther from the origin.
 */
export const SEARCH_SCALES = [1, 10, 0.1, 100, 0.01];

/** Random points already decided, and the scale in use. */
export class BoundarySearch {
  private pool: { x: Float64Array; decision: number }[] = [];
  private misses = 0;
  scaleIndex = 0;
  /** Random points that reached the model. */
  drawn = 0;

  constructor(
    private readonly streamer: RowStreamer,
    private readonly rng: Rng,
  ) {}

  get scale(): number {
    return SEARCH_SCALES[this.scaleIndex];
  }

  /**
   * The next boundary point, from a fresh random point and an earlier one that disagrees with
   * it; null when the budget ran out, or when no scale showed two decisions ('flat').
   */
  async next(): Promise<BoundaryPoint | 'flat' | null> {
    for (;;) {
      const x = this.rng.gaussianVector(this.streamer.n);
      for (let j = 0; j < x.length; j++) x[j] *= this.scale;
      const decision = await this.decide(x);
      if (decision === null) return null;
      this.drawn++;
      const others = this.pool.filter((p) => p.decision !== decision);
      this.pool.push({ x, decision });
      if (others.length > 0) {
        const partner = others[this.rng.int(others.length)];
        return this.bisect(partner.x, partner.decision, x, decision);
      }
      if (++this.misses < SEARCH_PATIENCE) continue;
      if (this.scaleIndex + 1 === SEARCH_SCALES.length) return 'flat';
      this.scaleIndex++;
      this.pool = [];
      this.misses = 0;
    }
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

  /** Bisect [a, b] keeping ends that disagree. */
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
    let lo = 0;
    let hi = length;
    const low = da;
    let high = db;
    const at = (t: number) => a.map((v, j) => v + t * direction[j]);
    for (let s = 0; s < SEGMENT_STEPS; s++) {
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
    return { x: at((lo + hi) / 2), direction, lowDecision: low, highDecision: high };
  }
}
