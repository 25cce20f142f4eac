import { BudgetExhaustedError } from '../errors.js';
import type { EchelonBasis } from '../linalg/echelon.js';
import type { Matrix } from '../linalg/matrix.js';
import type { Oracle } from '../oracle/oracle.js';

/**
 * Measurements at one point for the adaptive method: forward differences along directions
 * orthogonal to the span found so far (the complement directions `d_j` of an
 * {@link EchelonBasis}), each scaled to move the input by exactly `step`.
 *
 * Rows are written into one reused buffer and streamed to the model in calls of at most
 * `rowsPerCall` rows, so a point costs O(rowsPerCall · n) memory whatever n is.
 */
export class RowStreamer {
  private readonly buffer: Float64Array;

  constructor(
    private readonly oracle: Oracle,
    readonly n: number,
    readonly rowsPerCall: number,
  ) {
    this.buffer = new Float64Array(rowsPerCall * n);
  }

  /**
   * Query `count` rows, row r being `x` moved by `write(r, row)`, and hand each call's outputs
   * to `read(first, outputs)`. Returns false when the budget refused a call (nothing of that
   * call was sent); model errors propagate.
   */
  async stream(
    x: Float64Array,
    count: number,
    write: (r: number, row: Float64Array) => void,
    read: (first: number, outputs: Matrix) => void,
  ): Promise<boolean> {
    const n = this.n;
    for (let first = 0; first < count; first += this.rowsPerCall) {
      const rows = Math.min(this.rowsPerCall, count - first);
      for (let r = 0; r < rows; r++) {
        const row = this.buffer.subarray(r * n, (r + 1) * n);
        row.set(x);
        write(first + r, row);
      }
      let outputs: Matrix;
      try {
        outputs = await this.oracle.query({
          rows,
          cols: n,
          data: this.buffer.subarray(0, rows * n),
        });
      } catch (e) {
        if (e instanceof BudgetExhaustedError) return false;
        throw e;
      }
      read(first, outputs);
    }
    return true;
  }
}

/** Base values and probe derivatives at a point. */
export interface ProbeReading {
  /** f(x), one per output. */
  readonly base: Float64Array;
  /** Derivative along probe t for output o at `t * m + o`. */
  readonly slopes: Float64Array;
  readonly outputs: number;
}

/**
 * Query the base point and the unit probe directions `probes[t]` (complement directions):
 * `c + 1` rows. Returns null when the budget refused them.
 */
export async function readProbes(
  streamer: RowStreamer,
  x: Float64Array,
  probes: readonly Float64Array[],
  step: number,
): Promise<ProbeReading | null> {
  const c = probes.length;
  let y: Matrix | null = null;
  const ok = await streamer.stream(
    x,
    c + 1,
    (r, row) => {
      if (r === 0) return;
      const p = probes[r - 1];
      for (let j = 0; j < row.length; j++) row[j] += step * p[j];
    },
    (_first, out) => (y = out),
  );
  if (!ok || y === null) return null;
  const out: Matrix = y;
  const m = out.cols;
  const base = out.data.slice(0, m);
  const slopes = new Float64Array(c * m);
  for (let t = 0; t < c; t++) {
    for (let o = 0; o < m; o++) slopes[t * m + o] = (out.data[(t + 1) * m + o] - base[o]) / step;
  }
  return { base, slopes, outputs: m };
}

/**
 * Measure `v = g − Σ_i g[s_i] R_i` for every output: the derivative along each complement
 * direction `d_j` (non-pivot j), by a forward step that moves the input by `step`
 * (`x + (step/‖d_j‖) d_j`). Output o's vector is `v[o * n … (o+1) * n)`, zero at pivots.
 * `sign = −1` steps backwards instead. Returns null when the budget refused a call.
 */
export async function readComplement(
  streamer: RowStreamer,
  basis: EchelonBasis,
  x: Float64Array,
  base: Float64Array,
  step: number,
  coordinates: Int32Array = basis.freeCoordinates(),
  sign: 1 | -1 = 1,
): Promise<{ v: Float64Array; scales: Float64Array } | null> {
  const n = basis.n;
  const m = base.length;
  const scales = new Float64Array(coordinates.length);
  for (let c = 0; c < coordinates.length; c++) {
    scales[c] = (sign * step) / Math.sqrt(basis.directionNormSquared(coordinates[c]));
  }
  const v = new Float64Array(m * n);
  const ok = await streamer.stream(
    x,
    coordinates.length,
    (r, row) => basis.addDirection(row, coordinates[r], scales[r]),
    (first, out) => {
      for (let r = 0; r < out.rows; r++) {
        const j = coordinates[first + r];
        for (let o = 0; o < m; o++) {
          v[o * n + j] = (out.data[r * m + o] - base[o]) / scales[first + r];
        }
      }
    },
  );
  return ok ? { v, scales } : null;
}
