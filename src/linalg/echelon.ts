import { zeros, type Matrix } from './matrix.js';

/**
 * A basis of a growing subspace of R^n kept in reduced row echelon form: row i is 1 at its
 * pivot coordinate s_i and 0 at every other row's pivot.
 *
 * Why this form: for every non-pivot coordinate j the direction
 * `d_j = e_j − Σ_i R_i[j] e_{s_i}` is orthogonal to the whole subspace, has only r + 1
 * nonzeros, and the n − r of them span its orthogonal complement. A directional derivative
 * along d_j is `gᵀd_j = v_j` where `v = g − Σ_i g[s_i] R_i` is g with the known subspace
 * eliminated (zero at the pivots), so measuring the n − r of them yields exactly the part of a
 * gradient that is new — without an explicit n × n complement basis (O(n²) memory) or an
 * O(r·n) projection per query row. Adding a direction costs O(r·n).
 *
 * Pivots are chosen by largest magnitude, so every new row has entries of magnitude ≤ 1.
 */
export class EchelonBasis {
  private data: Float64Array;
  private readonly pivotOf: number[] = [];
  /** pivotRow[j] = index of the row whose pivot is j, or -1. */
  private readonly pivotRow: Int32Array;

  constructor(readonly n: number) {
    this.data = new Float64Array(Math.min(n, 16) * n);
    this.pivotRow = new Int32Array(n).fill(-1);
  }

  /** The echelon form of the row span of `m` (rows independent). */
  static fromRows(m: Matrix): EchelonBasis {
    const e = new EchelonBasis(m.cols);
    for (let i = 0; i < m.rows; i++) {
      const v = m.data.slice(i * m.cols, (i + 1) * m.cols);
      e.reduce(v);
      e.add(v);
    }
    return e;
  }

  /** Pivot coordinates of all rows, in row order. */
  pivots(): number[] {
    return [...this.pivotOf];
  }

  /** Dimension of the subspace. */
  get rank(): number {
    return this.pivotOf.length;
  }

  /** Row i (a view). */
  row(i: number): Float64Array {
    return this.data.subarray(i * this.n, (i + 1) * this.n);
  }

  /** Pivot coordinate of row i. */
  pivot(i: number): number {
    return this.pivotOf[i];
  }

  isPivot(j: number): boolean {
    return this.pivotRow[j] >= 0;
  }

  /** Non-pivot coordinates, ascending: the complement directions' indices. */
  freeCoordinates(): Int32Array {
    const out = new Int32Array(this.n - this.rank);
    let c = 0;
    for (let j = 0; j < this.n; j++) if (this.pivotRow[j] < 0) out[c++] = j;
    return out;
  }

  /** ‖d_j‖² = 1 + Σ_i R_i[j]² for a non-pivot j. */
  directionNormSquared(j: number): number {
    let s = 1;
    for (let i = 0; i < this.rank; i++) s += this.data[i * this.n + j] ** 2;
    return s;
  }

  /**
   * Add `scale · d_j` to `target` (length n): `target[j] += scale`, and
   * `target[s_i] −= scale · R_i[j]` — O(r).
   */
  addDirection(target: Float64Array, j: number, scale: number): void {
    target[j] += scale;
    for (let i = 0; i < this.rank; i++) {
      target[this.pivotOf[i]] -= scale * this.data[i * this.n + j];
    }
  }

  /**
   * Turn `w` (length n, any values at the pivots ignored) into the complement direction
   * `Σ_{j free} w_j d_j`, in place: pivots get `−Σ_j R_i[j] w_j`. O(r·n).
   */
  toComplement(w: Float64Array): void {
    for (let i = 0; i < this.rank; i++) w[this.pivotOf[i]] = 0;
    for (let i = 0; i < this.rank; i++) {
      const r = this.row(i);
      let dot = 0;
      for (let j = 0; j < this.n; j++) dot += r[j] * w[j];
      w[this.pivotOf[i]] = -dot;
    }
  }

  /** Eliminate the subspace from `g` in place: `g ← g − Σ_i g[s_i] R_i` (zero at pivots). */
  reduce(g: Float64Array): void {
    for (let i = 0; i < this.rank; i++) {
      const c = g[this.pivotOf[i]];
      if (c === 0) continue;
      const r = this.row(i);
      for (let j = 0; j < this.n; j++) g[j] -= c * r[j];
      g[this.pivotOf[i]] = 0;
    }
  }

  /**
   * Add a reduced vector `v` (zero at every pivot; see {@link reduce}) as a new row, pivoting
   * on its largest entry, and eliminate that pivot from the other rows. Returns false (and
   * adds nothing) for a zero vector or when the subspace is already all of R^n.
   */
  add(v: Float64Array): boolean {
    if (this.rank === this.n) return false;
    let p = -1;
    let best = 0;
    for (let j = 0; j < this.n; j++) {
      const a = Math.abs(v[j]);
      if (a > best && this.pivotRow[j] < 0) {
        best = a;
        p = j;
      }
    }
    if (p < 0) return false;
    this.grow();
    const r = this.rank;
    const row = this.data.subarray(r * this.n, (r + 1) * this.n);
    const inv = 1 / v[p];
    for (let j = 0; j < this.n; j++) row[j] = this.pivotRow[j] >= 0 ? 0 : v[j] * inv;
    row[p] = 1;
    for (let i = 0; i < r; i++) {
      const other = this.row(i);
      const c = other[p];
      if (c === 0) continue;
      for (let j = 0; j < this.n; j++) other[j] -= c * row[j];
      other[p] = 0;
    }
    this.pivotOf.push(p);
    this.pivotRow[p] = r;
    return true;
  }

  /** The rows as a matrix (a copy). */
  toMatrix(): Matrix {
    const m = zeros(this.rank, this.n);
    m.data.set(this.data.subarray(0, this.rank * this.n));
    return m;
  }

  private grow(): void {
    if ((this.rank + 1) * this.n <= this.data.length) return;
    const rows = Math.min(this.n, Math.max(2 * this.rank, this.rank + 1));
    const next = new Float64Array(rows * this.n);
    next.set(this.data.subarray(0, this.rank * this.n));
    this.data = next;
  }
}
