import { stat } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { oneLine, UserError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';
import {
  epsilonOf,
  inputLayout,
  pickInput,
  pickOutput,
  precisionOf,
  staticOutputDim,
  toFloat64,
  type InputLayout,
} from './onnxShapes.js';
import type { Oracle, Precision } from './oracle.js';

/** Options of {@link OnnxOracle.create} (the CLI's `--input` / `--output`). */
export interface OnnxOracleOptions {
  /** Graph input to feed; default the first input that has no default value. */
  inputName?: string;
  /** Graph output to read; default the first output. */
  outputName?: string;
  /**
   * Never batch: one `run` per row, so a row's outputs never depend on its neighbours (bitwise
   * reproducible), at tens of times the cost for small MLPs.
   */
  rowByRow?: boolean;
}

/**
 * How rows reach the session: `unverified` (symbolic batch dim, batching not yet checked),
 * `batched` (checked), `row-by-row` (fixed-shape input, failed check or `rowByRow`).
 */
export type OnnxBatching = 'unverified' | 'batched' | 'row-by-row';

/** Most rows fed to one `session.run` when batching; bounds the size of one feed tensor. */
export const MAX_ROWS_PER_RUN = 512;

/**
 * Batched and single-row runs may differ by rounding: onnxruntime's vectorized double `Tanh` and
 * `Sigmoid` treat an element differently by its position in the buffer (measured ≤ 1.3 ulp of
 * the row's largest output). A graph whose "batch" dimension is not a batch (rows mixed,
 * batch 1 baked in) differs at O(1), so agreement within this many ulps of the model's
 * precision, relative to the row's largest output, counts as identical.
 */
export const BATCH_AGREEMENT_ULPS = 1024;

/**
 * onnxruntime logs warnings and errors to stderr itself; library code prints nothing, and every
 * error reaches the caller as an exception anyway.
 */
const LOG_FATAL_ONLY = 4;

/**
 * An ONNX model run with onnxruntime-node (CPU), per docs/REFERENCE.md ("onnx:PATH"): "ONNX models as users export
 * them". The query row `x` is the chosen input flattened in C order without its batch dim:
 * - first dim symbolic (`['batch', 16, 96]`): that dim is the batch, n = 16·96 = 1536;
 * - all dims fixed (`[1, 16, 96]`, `[784]`, `[16, 96]`): the whole shape is one example,
 *   n = product of all dims, run row by row (a fixed leading 1 is thus the batch of 1; a fixed
 *   leading dim > 1 is read as part of the example, not as a batch to fill);
 * - a symbolic dim other than the first, or no shape at all: a UserError (n is unknowable).
 * Outputs are flattened the same way into m scores.
 *
 * With a symbolic batch dim, batching is checked on the first query of ≥ 2 rows: its first
 * chunk is run batched, and its first and last rows are also run alone and compared (see
 * {@link BATCH_AGREEMENT_ULPS}); on disagreement, a failed batched run or a wrong output shape,
 * the oracle runs row by row from then on. The check evaluates only rows of that query (two of
 * them twice), never inputs of its own.
 *
 * The one exception is {@link setupQueries}: when the metadata does not fix the output size,
 * `create` evaluates the all-zero input once to learn m.
 *
 * Query rows are not checked here: the stack's counter checks them for every backend.
 */
export class OnnxOracle implements Oracle {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly precision: Precision;
  /** Model evaluations `create` made itself (0, or 1 when m had to be probed); the counter adds them. */
  readonly setupQueries: number;
  private mode: OnnxBatching;
  private disposed = false;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly label: string,
    private readonly inputName: string,
    private readonly outputName: string,
    private readonly inputType: 'float32' | 'float64',
    private readonly layout: InputLayout,
    outputDim: number,
    setupQueries: number,
    private readonly epsilon: number,
    rowByRow: boolean,
  ) {
    this.inputDim = layout.inputDim;
    this.outputDim = outputDim;
    this.setupQueries = setupQueries;
    this.precision = precisionOf(epsilon);
    this.mode = layout.batched && !rowByRow ? 'unverified' : 'row-by-row';
  }

  /** Load `path`; throws UserError for a missing or unreadable file or an unusable graph. */
  static async create(path: string, opts: OnnxOracleOptions = {}): Promise<OnnxOracle> {
    const label = `ONNX model '${path}'`;
    const info = await stat(path).catch(() => null);
    if (!info) throw new UserError(`${label} not found`);
    if (!info.isFile()) throw new UserError(`${label} is not a file`);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(path, { logSeverityLevel: LOG_FATAL_ONLY });
    } catch (e) {
      throw new UserError(`${label} cannot be loaded: ${messageOf(e)}`);
    }
    try {
      const input = pickInput(session, label, opts.inputName);
      const output = pickOutput(session, label, opts.outputName);
      const layout = inputLayout(input, label);
      const epsilon = Math.max(epsilonOf(input.type) ?? 1, epsilonOf(output.type) ?? 1);
      const inputType = input.type as 'float32' | 'float64';
      let m = staticOutputDim(output.shape, layout.batched);
      let setupQueries = 0;
      const oracle = (dim: number, setup: number): OnnxOracle =>
        new OnnxOracle(
          session,
          label,
          input.name,
          output.name,
          inputType,
          layout,
          dim,
          setup,
          epsilon,
          opts.rowByRow ?? false,
        );
      if (m === null) {
        // The metadata leaves m open: evaluate the zero input once (reported as setupQueries).
        const probe = oracle(0, 0);
        const zero = { rows: 1, cols: layout.inputDim, data: new Float64Array(layout.inputDim) };
        m = (await probe.runRows(zero, 0, 1, false)).length;
        setupQueries = 1;
        if (m === 0) throw new UserError(`${label}: output '${output.name}' is empty`);
      }
      return oracle(m, setupQueries);
    } catch (e) {
      await session.release();
      throw e;
    }
  }

  /** How rows currently reach the session (see {@link OnnxBatching}). */
  get batching(): OnnxBatching {
    return this.mode;
  }

  async query(inputs: Matrix): Promise<Matrix> {
    if (this.disposed) throw new Error(`${this.label}: query after dispose()`);
    const out = new Float64Array(inputs.rows * this.outputDim);
    let start = 0;
    if (this.mode === 'unverified' && inputs.rows >= 2) {
      start = await this.verifyBatching(inputs, out);
    }
    while (start < inputs.rows) {
      const end = Math.min(inputs.rows, start + MAX_ROWS_PER_RUN);
      if (this.mode === 'row-by-row' || end - start === 1) {
        for (let r = start; r < end; r++) {
          out.set(await this.runRows(inputs, r, r + 1, false), r * this.outputDim);
        }
      } else {
        out.set(await this.runRows(inputs, start, end, true), start * this.outputDim);
      }
      start = end;
    }
    checkFinite(out, this.outputDim, this.label, 0);
    return { rows: inputs.rows, cols: this.outputDim, data: out };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }

  /**
   * Run the first chunk of `inputs` batched and its first and last rows alone; settle the mode
   * and write the chunk's outputs into `out`. Returns the number of rows done.
   */
  private async verifyBatching(inputs: Matrix, out: Float64Array): Promise<number> {
    const m = this.outputDim;
    const end = Math.min(inputs.rows, MAX_ROWS_PER_RUN);
    const last = end - 1;
    const first = await this.runRows(inputs, 0, 1, false);
    const lastAlone = await this.runRows(inputs, last, end, false);
    // a non-finite row is the model's answer, not a batching fault: report it as query() would
    checkFinite(first, m, this.label, 0);
    checkFinite(lastAlone, m, this.label, last);
    const batched = await this.runRows(inputs, 0, end, true).catch(() => null);
    const agrees =
      batched !== null &&
      this.agree(first, batched.subarray(0, m)) &&
      this.agree(lastAlone, batched.subarray(last * m, end * m));
    if (!agrees) {
      this.mode = 'row-by-row';
      out.set(first, 0);
      out.set(lastAlone, last * m);
      for (let r = 1; r < last; r++) {
        out.set(await this.runRows(inputs, r, r + 1, false), r * m);
      }
      return end;
    }
    this.mode = 'batched';
    out.set(batched, 0);
    return end;
  }

  private agree(alone: Float64Array, inBatch: Float64Array): boolean {
    let scale = 0;
    for (let j = 0; j < alone.length; j++) {
      scale = Math.max(scale, Math.abs(alone[j]), Math.abs(inBatch[j]));
    }
    const tol = BATCH_AGREEMENT_ULPS * this.epsilon * scale;
    for (let j = 0; j < alone.length; j++) {
      // written so that NaN disagrees
      if (!(Math.abs(alone[j] - inBatch[j]) <= tol)) return false;
    }
    return true;
  }

  /**
   * One `run` on rows [start, end) of `inputs`: batched as `[B, …]`, else a single row in its
   * own shape. Returns the outputs flattened row by row; throws UserError on a run failure or an
   * output of the wrong size. Batched output shape errors are thrown too (the caller decides).
   */
  private async runRows(
    inputs: Matrix,
    start: number,
    end: number,
    batched: boolean,
  ): Promise<Float64Array> {
    const n = this.inputDim;
    const rows = inputs.data.subarray(start * n, end * n);
    const dims = batched
      ? [end - start, ...this.layout.rowShape.slice(1)]
      : [...this.layout.rowShape];
    const feed =
      this.inputType === 'float32'
        ? new ort.Tensor('float32', Float32Array.from(rows), dims)
        : new ort.Tensor('float64', rows.slice(), dims);
    let result: ort.InferenceSession.ReturnType;
    try {
      result = await this.session.run({ [this.inputName]: feed }, [this.outputName], {
        logSeverityLevel: LOG_FATAL_ONLY,
      });
    } catch (e) {
      throw new UserError(`${this.label}: onnxruntime failed: ${messageOf(e)}`);
    }
    const tensor = result[this.outputName];
    const values = toFloat64(tensor, this.label);
    const expected = (end - start) * this.outputDim;
    const batchOk = !batched || tensor.dims[0] === end - start;
    if (this.outputDim > 0 && (values.length !== expected || !batchOk)) {
      throw new UserError(
        `${this.label}: output '${this.outputName}' has shape [${tensor.dims.join(', ')}] for ` +
          `${end - start} row(s), expected ${this.outputDim} values per row`,
      );
    }
    return values;
  }
}

/** Throws UserError naming the first non-finite output; `values` start at query row `firstRow`. */
function checkFinite(values: Float64Array, m: number, label: string, firstRow: number): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const row = firstRow + Math.floor(i / m);
      throw new UserError(
        `${label}: output row ${row} of the query has ${values[i]} at score ${i % m}`,
      );
    }
  }
}

function messageOf(e: unknown): string {
  return oneLine(e instanceof Error ? e.message : String(e));
}
