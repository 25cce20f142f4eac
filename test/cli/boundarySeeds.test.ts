import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { writeNpy } from '../../src/io/npy.js';
import { OnnxOracle } from '../../src/oracle/onnxOracle.js';
import { Rng } from '../../src/random/rng.js';
import { medianOutput, tempDir } from '../helpers.js';
import { assertUsageError, jsonOf, runCli } from './runCli.js';

/** `recover --seeds X.npy` on a make-net ONNX (n = 30): accepted shapes and refused files. */

const N = 30;
const dir = tempDir();
const onnx = join(dir, 'tanh.onnx');
let threshold = 0;

const recover = (...extra: string[]) =>
  runCli([
    'recover',
    ...['--model', `onnx:${onnx}`, '--access', `threshold:0:${threshold}`],
    ...['--out', join(dir, 'out'), '--json', ...extra],
  ]);

describe('recover --seeds', () => {
  before(async () => {
    const made = runCli([
      'make-net',
      ...['--n', String(N), '--k', '6', '--widths', '16,16', '--act', 'tanh', '--dtype', 'f64'],
      ...['--seed', '4', '--out', onnx],
    ]);
    assert.equal(made.code, 0, made.stderr);
    const model = await OnnxOracle.create(onnx);
    threshold = await medianOutput(model).finally(() => model.dispose());
  });

  it('takes seeds shaped [s, …input shape] (here [4, 5, 6]) and recovers rank k', async () => {
    const seeds = join(dir, 'seeds.npy');
    await writeNpy(seeds, { shape: [4, 5, 6], data: new Rng(3).gaussianVector(4 * N) });
    const r = recover('--seeds', seeds);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(jsonOf(r).rank, 6);
    assert.equal(jsonOf(r).method, 'boundary');
  });

  it('refuses a bad file or a method that takes no seeds, before any query', async () => {
    const narrow = join(dir, 'narrow.npy');
    await writeNpy(narrow, { rows: 2, cols: N - 1, data: new Float64Array(2 * (N - 1)) });
    assertUsageError(
      recover('--seeds', narrow),
      /--seeds .*narrow\.npy: inputs of 29 values each \(shape \[2, 29\]\), but the model takes 30/,
    );
    const nan = join(dir, 'nan.npy');
    const data = new Float64Array(2 * N);
    data[N + 3] = NaN;
    await writeNpy(nan, { rows: 2, cols: N, data });
    assertUsageError(recover('--seeds', nan), /nan\.npy: input 1 has a non-finite value \(NaN\)/);
    const junk = join(dir, 'junk.npy');
    writeFileSync(junk, 'not an npy file');
    assertUsageError(recover('--seeds', junk), /junk\.npy/);
    assertUsageError(
      recover('--seeds', join(dir, 'missing.npy')),
      /--seeds .*missing\.npy: .*(not found|no such)/i,
    );
    const seeds = join(dir, 'ok.npy');
    await writeNpy(seeds, { rows: 1, cols: N, data: new Float64Array(N) });
    assertUsageError(
      runCli([
        'recover',
        ...['--model', `onnx:${onnx}`, '--method', 'adaptive', '--seeds', seeds],
        ...['--out', join(dir, 'adaptive')],
      ]),
      /--seeds is not an option of --method adaptive/,
    );
  });
});
