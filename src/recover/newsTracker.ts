import { norm2 } from '../linalg/matrix.js';
import { projectOntoComplementInPlace } from '../linalg/orthonormal.js';

/**
 * Tells, gradient by gradient, whether a measurement brings a direction not yet seen: its
 * residual off the span of earlier news exceeds `threshold` (a multiple of the measurement
 * noise). Only decides when to stop measuring; the basis itself comes from the SVD of all
 * accepted gradients. Cost per gradient: two Gram–Schmidt passes, O(r·n).
 */
export class NewsTracker {
  private basis: Float64Array;
  private rows = 0;

  constructor(readonly n: number) {
    this.basis = new Float64Array(Math.min(n, 64) * n);
  }

  /** Directions found so far. */
  get dimension(): number {
    return this.rows;
  }

  /** Record gradient `g`; true when it brought news (then its direction is kept). */
  add(g: Float64Array, threshold: number): boolean {
    const v = Float64Array.from(g);
    projectOntoComplementInPlace({ rows: this.rows, cols: this.n, data: this.basis }, v);
    const norm = norm2(v);
    if (!(norm > threshold) || this.rows === this.n) return false;
    if ((this.rows + 1) * this.n > this.basis.length) {
      const grown = new Float64Array(Math.min(this.n, 2 * (this.rows + 1)) * this.n);
      grown.set(this.basis);
      this.basis = grown;
    }
    for (let j = 0; j < this.n; j++) this.basis[this.rows * this.n + j] = v[j] / norm;
    this.rows++;
    return true;
  }
}

/**
 * A gradient (or a gradient's new part) brings news when its residual off the directions seen so far exceeds this many
 * times the norm of its own noise (σ√n): noise alone exceeds 2× that with negligible
 * probability, and a real new direction of float64 data stands decades above it.
 */
export const NEWS_FACTOR = 10;
