import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { OnnxOracle } from '../../src/oracle/onnxOracle.js';
import { medianOutput, tempDir } from '../helpers.js';
import { jsonOf, runCli } from './runCli.js';

/** Bits carry less than scores: the acceptance bound for bit access at this size. */
const BITS_MAX_ANGLE = 1e-4;

const dir = tempDir();

test('recover --access threshold:0:T on a make-net ONNX: auto picks boundary, rank k, certified', async () => {
  const onnx = join(dir, 'tanh.onnx');
  const truth = join(dir, 'A.npy');
  const made = runCli([
    'make-net',
    ...['--n', '30', '--k', '6', '--widths', '16,16', '--act', 'tanh', '--dtype', 'f64'],
    ...['--seed', '4', '--out', onnx, '--truth', truth],
  ]);
  assert.equal(made.code, 0, made.stderr);
  const model = await OnnxOracle.create(onnx);
  const threshold = await medianOutput(model).finally(() => model.dispose());
  const out = join(dir, 'out');
  const r = runCli([
    'recover',
    ...['--model', `onnx:${onnx}`, '--access', `threshold:0:${threshold}`],
    ...['--out', out, '--json'],
  ]);
  assert.equal(r.code, 0, r.stderr);
  const json = jsonOf(r);
  assert.equal(json.method, 'boundary');
  assert.equal(json.access, `threshold:0:${threshold}`);
  assert.equal(json.rank, 6);
  assert.equal(json.complete, true);
  const cmp = runCli(['compare', join(out, 'basis.npy'), truth, '--json']);
  assert.equal(cmp.code, 0, cmp.stderr);
  assert.ok((jsonOf(cmp).maxAngle as number) < BITS_MAX_ANGLE);
  // the budget stops it: exit 3, a partial basis written, complete false
  const cut = runCli([
    'recover',
    ...['--model', `onnx:${onnx}`, '--access', `threshold:0:${threshold}`],
    ...['--budget', '1500', '--out', join(dir, 'cut'), '--json'],
  ]);
  assert.equal(cut.code, 3, cut.stderr);
  assert.equal(jsonOf(cut).complete, false);
  assert.ok((jsonOf(cut).queries as number) <= 1500);
});
