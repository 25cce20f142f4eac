import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { Matrix } from '../src/linalg/matrix.js';
import type { Oracle } from '../src/oracle/oracle.js';
import { NetworkOracle } from '../src/oracle/networkOracle.js';
import { randomNetwork, type RandomNetworkOptions } from '../src/nets/randomNetwork.js';
import { Rng } from '../src/random/rng.js';

/** A temporary directory removed when the test file finishes. */
export function tempDir(prefix = 'spanrec-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A float64 in-process reference network oracle with known first layer. */
export function referenceOracle(
  opts: Partial<RandomNetworkOptions> & { inputDim: number; firstWidth: number },
  seed = 7,
): NetworkOracle {
  const net = randomNetwork(
    {
      hiddenWidths: [32, 16],
      outputs: 1,
      activation: 'relu',
      bias: true,
      ...opts,
    },
    new Rng(seed),
  );
  return new NetworkOracle(net);
}

export function firstLayer(oracle: NetworkOracle): Matrix {
  return oracle.network.layers[0].weight;
}

/**
 * The same network computing in float32 as a deployed model would: inputs, weights, every
 * product and every partial sum rounded to float32 (Math.fround), ReLU only. Deterministic on
 * every machine, unlike a float32 ONNX run whose kernels differ by CPU.
 */
export function float32Oracle(reference: NetworkOracle): Oracle {
  const net = reference.network;
  if (net.activation !== 'relu') throw new Error('float32Oracle: ReLU networks only');
  const layers = net.layers.map((l) => ({
    rows: l.weight.rows,
    cols: l.weight.cols,
    w: Float32Array.from(l.weight.data),
    b: l.bias === null ? null : Float32Array.from(l.bias),
  }));
  const f = Math.fround;
  return {
    inputDim: reference.inputDim,
    outputDim: reference.outputDim,
    precision: 'f32',
    query: async (inputs: Matrix): Promise<Matrix> => {
      const m = reference.outputDim;
      const out = new Float64Array(inputs.rows * m);
      for (let r = 0; r < inputs.rows; r++) {
        let cur = Float32Array.from(inputs.data.subarray(r * inputs.cols, (r + 1) * inputs.cols));
        layers.forEach((l, li) => {
          const next = new Float32Array(l.rows);
          for (let o = 0; o < l.rows; o++) {
            let s = l.b === null ? 0 : l.b[o];
            for (let i = 0; i < l.cols; i++) s = f(s + f(l.w[o * l.cols + i] * cur[i]));
            next[o] = li === layers.length - 1 || s > 0 ? s : 0;
          }
          cur = next;
        });
        out.set(cur, r * m);
      }
      return { rows: inputs.rows, cols: m, data: out };
    },
    dispose: async () => {},
  };
}

/**
 * A float64 ReLU network whose first `rare` first-layer units are biased off on all but a
 * small share of unit-scale Gaussian inputs: unit i is on where aᵢ·x > sigma‖aᵢ‖, a share
 * P(N(0,1) > sigma) of them (1.4 % at sigma 2.2), and on at a third of points 10× as far out.
 */
export function rareUnitOracle(
  opts: { inputDim: number; firstWidth: number; rare: number; sigma: number },
  seed = 7,
): NetworkOracle {
  const net = randomNetwork(
    {
      inputDim: opts.inputDim,
      firstWidth: opts.firstWidth,
      hiddenWidths: [16],
      outputs: 1,
      activation: 'relu',
      bias: true,
    },
    new Rng(seed),
  );
  const { weight, bias } = net.layers[0];
  const n = opts.inputDim;
  for (let i = 0; i < opts.rare; i++) {
    let squares = 0;
    for (let j = 0; j < n; j++) squares += weight.data[i * n + j] ** 2;
    (bias as Float64Array)[i] = -opts.sigma * Math.sqrt(squares);
  }
  return new NetworkOracle(net);
}

/**
 * The median of output `index` over `count` Gaussian inputs (seeded): a threshold that splits
 * the inputs evenly, as `--access threshold:I:T` needs. Queries the oracle directly.
 */
export async function medianOutput(
  oracle: Oracle,
  index = 0,
  count = 201,
  seed = 99,
): Promise<number> {
  const rng = new Rng(seed);
  const n = oracle.inputDim;
  const out = await oracle.query({ rows: count, cols: n, data: rng.gaussianVector(count * n) });
  const values = Array.from({ length: count }, (_, r) => out.data[r * out.cols + index]);
  values.sort((a, b) => a - b);
  return values[count >> 1];
}

/** An oracle that counts the rows it answers (the model's own count, for exact-count checks). */
export function countRows(inner: Oracle): Oracle & { readonly rows: number } {
  let rows = 0;
  return {
    inputDim: inner.inputDim,
    outputDim: inner.outputDim,
    precision: inner.precision,
    query: async (inputs: Matrix) => {
      rows += inputs.rows;
      return inner.query(inputs);
    },
    dispose: () => inner.dispose(),
    get rows() {
      return rows;
    },
  };
}
