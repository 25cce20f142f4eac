import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EchelonBasis } from '../../src/linalg/echelon.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { inputGradient } from '../../src/nets/inputGradient.js';
import type { NetworkOracle } from '../../src/oracle/networkOracle.js';
import type { Oracle } from '../../src/oracle/oracle.js';
import { buildOracleStack } from '../../src/oracle/stack.js';
import { Rng } from '../../src/random/rng.js';
import { readComplement, RowStreamer } from '../../src/recover/complementPoint.js';
import { referenceOracle } from '../helpers.js';
import { gaussian } from '../linalg/matrices.js';
import { MockModel } from '../oracle/mockModel.js';

/** Forward step on the piecewise-linear net: small enough to cross no ReLU boundary here. */
const RELU_STEP = 1e-5;
/**
 * Slope error of a forward difference on a float64 piecewise-linear net that crosses no kink:
 * only the rounding of f (~1e-15 for these O(1) outputs) over the step 1e-5, ≈ 1e-10; ten times.
 */
const F64_SLOPE_TOL = 1e-9;
/** Steps for the smooth net: large enough that the truncation error dwarfs rounding (1e-13). */
const SMOOTH_STEP = 1e-2;
const SMOOTH_STEP_RATIO = 4;
/**
 * Observed order of accuracy, log(err(h) / err(h/4)) / log 4: 1 for forward, 2 for central
 * differences, up to the next term of the expansion (relative size ~h, ~h²): ±0.2.
 */
const ORDER_TOL = 0.2;

/** An oracle that records the size of every call and every row it is sent. */
function recording(model: Oracle): { oracle: Oracle; calls: number[]; rows: Float64Array[] } {
  const calls: number[] = [];
  const rows: Float64Array[] = [];
  const oracle: Oracle = {
    inputDim: model.inputDim,
    outputDim: model.outputDim,
    precision: model.precision,
    query: async (inputs: Matrix) => {
      calls.push(inputs.rows);
      for (let r = 0; r < inputs.rows; r++) {
        rows.push(inputs.data.slice(r * inputs.cols, (r + 1) * inputs.cols));
      }
      return model.query(inputs);
    },
    dispose: async () => {},
  };
  return { oracle, calls, rows };
}

/** A point's setting: an echelon basis of 3 random rows, a point, and f there. */
async function pointOn(net: NetworkOracle, seed: number) {
  const rng = new Rng(seed);
  const n = net.inputDim;
  const basis = EchelonBasis.fromRows(gaussian(3, n, rng));
  const x = rng.gaussianVector(n);
  const base = (await net.query({ rows: 1, cols: n, data: x })).data;
  return { n, basis, x, base };
}

/** The exact complement measurement v = g − Σ_i g[s_i] R_i for every output, m × n. */
function exactComplement(net: NetworkOracle, basis: EchelonBasis, x: Float64Array): Float64Array {
  const n = basis.n;
  const m = net.outputDim;
  const v = new Float64Array(m * n);
  for (let o = 0; o < m; o++) {
    const cotangent = new Float64Array(m);
    cotangent[o] = 1;
    const g = inputGradient(net.network, x, cotangent);
    const out = v.subarray(o * n, (o + 1) * n);
    out.set(g);
    for (let i = 0; i < basis.rank; i++) {
      const c = g[basis.pivot(i)];
      for (let j = 0; j < n; j++) out[j] -= c * basis.row(i)[j];
    }
  }
  return v;
}

function maxAbsDifference(a: Float64Array, b: Float64Array): number {
  return a.reduce((d, x, i) => Math.max(d, Math.abs(x - b[i])), 0);
}

function distance(a: Float64Array, b: Float64Array): number {
  return Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));
}

describe('RowStreamer', () => {
  it('sends calls of at most rowsPerCall rows, in order, and counts them', async () => {
    const { oracle, calls, rows } = recording(new MockModel());
    const streamer = new RowStreamer(oracle, 3, 4);
    const firsts: number[] = [];
    const outputs: number[] = [];
    const ok = await streamer.stream(
      10,
      (r, row) => row.set([r, 2 * r, 0]),
      (first, out) => {
        firsts.push(first);
        for (let r = 0; r < out.rows; r++) outputs.push(out.data[r * out.cols]); // a + b = 3r
      },
    );
    assert.equal(ok, true);
    assert.deepEqual(calls, [4, 4, 2]);
    assert.deepEqual(firsts, [0, 4, 8]);
    assert.deepEqual(
      rows.map((r) => r[0]),
      Array.from({ length: 10 }, (_, r) => r),
    );
    assert.deepEqual(
      outputs,
      Array.from({ length: 10 }, (_, r) => 3 * r),
    );
    assert.equal(streamer.rowsAnswered, 10);
  });

  it('returns false when the budget refuses a call, sending nothing of it', async () => {
    const net = referenceOracle({ inputDim: 5, firstWidth: 3 });
    const stack = buildOracleStack(net, { kind: 'scores' }, 6);
    const streamer = new RowStreamer(stack.oracle, 5, 4);
    const reads: number[] = [];
    const ok = await streamer.stream(
      10,
      (_r, row) => row.fill(0.5),
      (first) => reads.push(first),
    );
    assert.equal(ok, false);
    assert.deepEqual(reads, [0], 'the first call was answered, the second refused');
    assert.equal(stack.counter.queries, 4, 'nothing of the refused call reached the model');
    assert.equal(streamer.rowsAnswered, 4);
  });

  it('lets other model errors through', async () => {
    const failing: Oracle = {
      inputDim: 2,
      outputDim: 1,
      precision: 'f64',
      query: async () => {
        throw new Error('model broke');
      },
      dispose: async () => {},
    };
    const streamer = new RowStreamer(failing, 2, 3);
    await assert.rejects(
      streamer.stream(
        2,
        () => {},
        () => {},
      ),
      /model broke/,
    );
    assert.equal(streamer.rowsAnswered, 0);
  });
});

describe('readComplement', () => {
  it('measures v = g − Σ g[s_i] R_i on a float64 ReLU net, moving the input by exactly step', async () => {
    const net = referenceOracle({ inputDim: 12, firstWidth: 6, outputs: 2 });
    const { n, basis, x, base } = await pointOn(net, 61);
    const expected = exactComplement(net, basis, x);
    for (const sign of [1, -1] as const) {
      const { oracle, rows } = recording(net);
      const streamer = new RowStreamer(oracle, n, 4);
      const got = await readComplement(streamer, basis, x, base, RELU_STEP, undefined, sign);
      assert.ok(got !== null);
      assert.equal(streamer.rowsAnswered, n - basis.rank);
      for (const p of basis.pivots()) assert.equal(got.v[p], 0, 'zero at pivots');
      const err = maxAbsDifference(got.v, expected);
      assert.ok(err <= F64_SLOPE_TOL, `sign ${sign}: error ${err}`);
      for (const row of rows) {
        const moved = distance(row, x);
        // exact up to the rounding of x + δ: ε·|x_j| per entry
        const roundingOfX = 4 * Math.sqrt(n) * Number.EPSILON * Math.max(...x.map(Math.abs));
        assert.ok(Math.abs(moved - RELU_STEP) <= roundingOfX, `moved ${moved}`);
      }
    }
  });

  it('measures only the coordinates asked for, and returns null when refused', async () => {
    const net = referenceOracle({ inputDim: 12, firstWidth: 6, outputs: 2 });
    const { n, basis, x, base } = await pointOn(net, 62);
    const expected = exactComplement(net, basis, x);
    const free = basis.freeCoordinates();
    const some = Int32Array.of(free[0], free[4]);
    const got = await readComplement(new RowStreamer(net, n, 4), basis, x, base, RELU_STEP, some);
    assert.ok(got !== null);
    for (let o = 0; o < 2; o++) {
      for (let j = 0; j < n; j++) {
        const want = some.includes(j) ? expected[o * n + j] : 0;
        assert.ok(Math.abs(got.v[o * n + j] - want) <= F64_SLOPE_TOL, `(${o}, ${j})`);
      }
    }
    const stack = buildOracleStack(net, { kind: 'scores' }, 2);
    const streamer = new RowStreamer(stack.oracle, n, 4);
    assert.equal(await readComplement(streamer, basis, x, base, RELU_STEP), null);
    assert.equal(stack.counter.queries, 0);
  });

  it('takes central differences (sign 0) of second order where forward ones are first', async () => {
    const net = referenceOracle({ inputDim: 10, firstWidth: 5, outputs: 2, activation: 'tanh' });
    const { n, basis, x, base } = await pointOn(net, 63);
    const expected = exactComplement(net, basis, x);
    const error = async (step: number, sign: 1 | 0): Promise<number> => {
      const streamer = new RowStreamer(net, n, 4);
      const got = await readComplement(streamer, basis, x, base, step, undefined, sign);
      assert.ok(got !== null);
      return distance(got.v, expected);
    };
    const order = async (sign: 1 | 0): Promise<number> => {
      const ratio =
        (await error(SMOOTH_STEP, sign)) / (await error(SMOOTH_STEP / SMOOTH_STEP_RATIO, sign));
      return Math.log(ratio) / Math.log(SMOOTH_STEP_RATIO);
    };
    const forward = await order(1);
    const central = await order(0);
    assert.ok(Math.abs(forward - 1) <= ORDER_TOL, `forward order ${forward}`);
    assert.ok(Math.abs(central - 2) <= ORDER_TOL, `central order ${central}`);
    // and at the same step central is far more accurate: by ~h·f'''/f'' ≈ 1e-2 here
    assert.ok((await error(SMOOTH_STEP, 0)) <= 0.1 * (await error(SMOOTH_STEP, 1)));
  });
});
