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
  /** Rows this streamer had answered (a method's own spending, for its plans). */
  rowsAnswered = 0;

  constructor(
    private readonly oracle: Oracle,
    readonly n: number,
    readonly rowsPerCall: number,
  ) {
    this.buffer = new Float64Array(rowsPerCall * n);
  }

  /**
   * Query `count` rows, row r written in full by `write(r, row)` into a reused buffer, and hand each call's outputs to `read(first, outputs)`.
   * Returns false when the budget refused a call (nothing of that call was sent); model
   * errors propagate.
   */
  async stream(
    count: number,
    write: (r: number, row: Float64Array) => void,
    read: (first: number, outputs: Matrix) => void,
  ): Promise<boolean> {
    const n = this.n;
    for (let first = 0; first < count; first += this.rowsPerCall) {
      const rows = Math.min(this.rowsPerCall, count - first);
      for (let r = 0; r < rows; r++) write(first + r, this.buffer.subarray(r * n, (r + 1) * n));
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
      this.rowsAnswered += rows;
      read(first, outputs);
    }
    return true;
  }
}

/** Base values and probe derivatives at a point. */
export interface ProbeReading {
  readonly x: Float64Array;
  /** f(x), one per output. */
  readonly base: Float64Array;
  /** Derivative along probe t for output o at `t * m + o`. */
  readonly slopes: Float64Array;
  readonly outputs: number;
}

/**
 * Query each point and its moves by `step` along the unit probe directions (complement
 * directions): `points × (c + 1)` rows in as few calls as the streamer allows. Returns null
 * when the budget refused them.
 */
export async function readProbes(
  streamer: RowStreamer,
  points: readonly Float64Array[],
  probes: readonly Float64Array[],
  step: number,
): Promise<ProbeReading[] | null> {
  const c = probes.length;
  const per = c + 1;
  const outputs: Matrix[] = [];
  const ok = await streamer.stream(
    points.length * per,
    (r, row) => {
      row.set(points[Math.floor(r / per)]);
      const t = r % per;
      if (t === 0) return;
      const p = probes[t - 1];
      for (let j = 0; j < row.length; j++) row[j] += step * p[j];
    },
    (_first, out) => outputs.push({ ...out, data: out.data.slice() }),
  );
  if (!ok) return null;
  const m = outputs[0].cols;
  const all = new Float64Array(points.length * per * m);
  let offset = 0;
  for (const o of outputs) {
    all.set(o.data, offset);
    offset += o.data.length;
  }
  return points.map((x, i) => {
    const y = all.subarray(i * per * m, (i + 1) * per * m);
    const base = y.slice(0, m);
    const slopes = new Float64Array(c * m);
    for (let t = 0; t < c; t++) {
      for (let o = 0; o < m; o++) slopes[t * m + o] = (y[(t + 1) * m + o] - base[o]) / step;
    }
    return { x, base, slopes, outputs: m };
  });
}

/**
 * More probe slopes at a point whose base value is known (`c` rows): the reading extended by
 * the slopes along `probes`. Returns null when the budget refused them.
 */
export async function extendProbes(
  streamer: RowStreamer,
  reading: ProbeReading,
  probes: readonly Float64Array[],
  step: number,
  central = false,
): Promise<ProbeReading | null> {
  const m = reading.outputs;
  const c = probes.length;
  const slopes = new Float64Array(reading.slopes.length + c * m);
  slopes.set(reading.slopes);
  const first = reading.slopes.length;
  const signs = central ? [1, -1] : [1];
  for (const sign of signs) {
    const ok = await streamer.stream(
      c,
      (r, row) => {
        row.set(reading.x);
        for (let j = 0; j < row.length; j++) row[j] += sign * step * probes[r][j];
      },
      (start, out) => {
        for (let r = 0; r < out.rows; r++) {
          for (let o = 0; o < m; o++) {
            const slope = (out.data[r * m + o] - reading.base[o]) / (sign * step);
            slopes[first + (start + r) * m + o] += slope / signs.length;
          }
        }
      },
    );
    if (!ok) return null;
  }
  return { ...reading, slopes };
}

/**
 * Measure `v = g − Σ_i g[s_i] R_i` for every output: the derivative along each complement
 * direction `d_j` (non-pivot j), by a forward step that moves the input by `step`
 * (`x + (step/‖d_j‖) d_j`). Output o's vector is `v[o * n … (o+1) * n)`, zero at pivots.
 * `sign = −1` steps backwards instead; `sign = 0` takes central differences (both, averaged).
 * Returns null when the budget refused a call.
 */
export async function readComplement(
  streamer: RowStreamer,
  basis: EchelonBasis,
  x: Float64Array,
  base: Float64Array,
  step: number,
  coordinates: Int32Array = basis.freeCoordinates(),
  sign: 1 | -1 | 0 = 1,
): Promise<{ v: Float64Array; scales: Float64Array } | null> {
  if (sign === 0) {
    const ahead = await readComplement(streamer, basis, x, base, step, coordinates, 1);
    const back = ahead && (await readComplement(streamer, basis, x, base, step, coordinates, -1));
    if (!ahead || !back) return null;
    for (let i = 0; i < ahead.v.length; i++) ahead.v[i] = (ahead.v[i] + back.v[i]) / 2;
    return ahead;
  }
  const n = basis.n;
  const m = base.length;
  const scales = new Float64Array(coordinates.length);
  for (let c = 0; c < coordinates.length; c++) {
    scales[c] = (sign * step) / Math.sqrt(basis.directionNormSquared(coordinates[c]));
  }
  const v = new Float64Array(m * n);
  const ok = await streamer.stream(
    coordinates.length,
    (r, row) => {
      row.set(x);
      basis.addDirection(row, coordinates[r], scales[r]);
    },
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

/**
 * Forward-difference slopes along coordinate axes `coordinates` (the pivots of an echelon
 * basis), `step` long: slope of output o along coordinate c at `c * m + o`. Returns null when
 * the budget refused them.
 */
export async function readCoordinates(
  streamer: RowStreamer,
  x: Float64Array,
  base: Float64Array,
  coordinates: readonly number[],
  step: number,
): Promise<Float64Array | null> {
  const m = base.length;
  const slopes = new Float64Array(coordinates.length * m);
  const ok = await streamer.stream(
    coordinates.length,
    (r, row) => {
      row.set(x);
      row[coordinates[r]] += step;
    },
    (first, out) => {
      for (let r = 0; r < out.rows; r++) {
        for (let o = 0; o < m; o++) {
          slopes[(first + r) * m + o] = (out.data[r * m + o] - base[o]) / step;
        }
      }
    },
  );
  return ok ? slopes : null;
}

/**
 * Full gradients from a point's complement measurement `v` (`m × n`) and its slopes along the
 * basis's pivot axes (`r × m`, {@link readCoordinates}): `g = v + Σ_i g[s_i] R_i`.
 */
export function assembleGradients(
  basis: EchelonBasis,
  v: Float64Array,
  pivotSlopes: Float64Array,
  m: number,
): Float64Array[] {
  const n = basis.n;
  return Array.from({ length: m }, (_, o) => {
    const g = v.slice(o * n, (o + 1) * n);
    for (let i = 0; i < basis.rank; i++) {
      const c = pivotSlopes[i * m + o];
      const row = basis.row(i);
      for (let j = 0; j < n; j++) g[j] += c * row[j];
    }
    return g;
  });
}
