import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../src/errors.js';
import { parseInputShape, parseMakeNetFlags } from '../../src/cli/makeNet.js';
import { parseInteger, parseIntegerList, parsePositiveNumber } from '../../src/cli/parse.js';
import { DEFAULTS } from '../../src/cli/defaults.js';
import { parseRecoverFlags } from '../../src/cli/recover.js';

test('recover flags become a command object with defaults', () => {
  const cmd = parseRecoverFlags({ model: 'onnx:net.onnx' });
  assert.deepEqual(cmd.model, { kind: 'onnx', path: 'net.onnx' });
  assert.deepEqual(cmd.access, { kind: 'scores' });
  assert.equal(cmd.method, 'auto');
  assert.equal(cmd.budget, null);
  assert.equal(cmd.seed, 1);
  assert.equal(cmd.outDir, DEFAULTS.outDir);
  assert.deepEqual(cmd.methodOptions, {});
  const full = parseRecoverFlags({
    model: 'cmd:python3 box.py --x 1',
    access: 'score:2',
    method: 'gradient',
    budget: '1000',
    seed: '9',
    inputDim: '20',
    precision: 'f32',
    step: '1e-4',
    points: '12',
    checks: '0',
  });
  assert.deepEqual(full.model, { kind: 'cmd', command: 'python3 box.py --x 1' });
  assert.deepEqual(full.access, { kind: 'score', index: 2 });
  assert.equal(full.budget, 1000);
  assert.equal(full.inputDim, 20);
  assert.equal(full.precision, 'f32');
  assert.deepEqual(full.methodOptions, { step: 1e-4, points: 12, checks: 0 });
});

test('bad values name the flag', () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ model: 'x' }, /--model/],
    [{ model: 'onnx:' }, /path/],
    [{ model: 'onnx:a', budget: '0' }, /--budget/],
    [{ model: 'onnx:a', budget: '1.5' }, /--budget/],
    [{ model: 'onnx:a', seed: '-1' }, /--seed/],
    [{ model: 'onnx:a', step: '-1e-3' }, /--step/],
    [{ model: 'onnx:a', precision: 'f16' }, /--precision/],
    [{ model: 'onnx:a', method: 'x' }, /--method/],
    [{ model: 'onnx:a', method: 'gradient', access: 'label' }, /--method gradient.*label/],
    [{ model: 'onnx:a', method: 'adaptive', access: 'threshold:0:0.5' }, /use --method boundary/],
    [{ model: 'onnx:a', method: 'boundary', access: 'scores' }, /--method boundary.*scores/],
  ];
  for (const [flags, pattern] of bad) {
    assert.throws(
      () => parseRecoverFlags(flags),
      (e: unknown) => e instanceof UserError && pattern.test(e.message),
    );
  }
});

test('number parsers', () => {
  assert.equal(parseInteger('--n', ' 12 '), 12);
  assert.throws(() => parseInteger('--n', '1e3'), UserError);
  assert.throws(() => parseInteger('--n', '5', { min: 6 }), /--n 5/);
  assert.deepEqual(parseIntegerList('--widths', '64,32'), [64, 32]);
  assert.deepEqual(parseIntegerList('--widths', ''), []);
  assert.throws(() => parseIntegerList('--widths', '64,,2'), UserError);
  assert.equal(parsePositiveNumber('--step', '1e-3'), 1e-3);
  assert.throws(() => parsePositiveNumber('--step', 'abc'), UserError);
});

test('make-net flags', () => {
  const cmd = parseMakeNetFlags({ n: '10', k: '4', out: 'n.onnx' });
  assert.deepEqual(cmd.widths, [64, 32]);
  assert.equal(cmd.activation, 'relu');
  assert.equal(cmd.dtype, 'f64');
  assert.equal(cmd.bias, true);
  assert.throws(() => parseMakeNetFlags({ n: '10', k: '4', out: 'n.onnx', act: 'swish' }), /--act/);
  assert.throws(() => parseMakeNetFlags({ n: '10', k: '4', out: 'n.onnx', rank: '5' }), /--rank/);
});

test('make-net lookalike flags: input shape, head, LayerNorm, influence spread', () => {
  const plain = parseMakeNetFlags({ n: '10', k: '4', out: 'n.onnx' });
  assert.equal(plain.inputShape, undefined);
  assert.equal(plain.head, 'linear');
  assert.equal(plain.layerNorm, false);
  assert.equal(plain.influenceSpread, 1);
  const fixed = parseMakeNetFlags({
    k: '32',
    out: 'n.onnx',
    inputShape: '1,16,96',
    head: 'sigmoid',
    layernorm: true,
    influenceSpread: '30',
  });
  assert.equal(fixed.n, 1536, 'n derived from the shape');
  assert.deepEqual(fixed.inputShape, [1, 16, 96]);
  assert.equal(fixed.head, 'sigmoid');
  assert.equal(fixed.layerNorm, true);
  assert.equal(fixed.influenceSpread, 30);
  const symbolic = parseMakeNetFlags({
    n: '1536',
    k: '4',
    out: 'n.onnx',
    inputShape: 'batch,16,96',
  });
  assert.deepEqual(symbolic.inputShape, ['batch', 16, 96]);
  assert.deepEqual(parseInputShape(' N , 3 '), ['N', 3]);
  const bad = (f: Record<string, string>, pattern: RegExp): void =>
    assert.throws(() => parseMakeNetFlags({ k: '4', out: 'n.onnx', ...f }), pattern);
  bad({ n: '100', inputShape: '1,16,96' }, /holds 1536 inputs, but --n is 100/);
  bad({ inputShape: '1,batch,96' }, /--input-shape 1,batch,96/);
  bad({ inputShape: '1,0,96' }, /--input-shape/);
  bad({ inputShape: '' }, /--input-shape/);
  bad({}, /--n N \(or --input-shape\)/);
  bad({ n: '8', head: 'tanh' }, /--head tanh/);
  bad({ n: '8', head: 'softmax' }, /--outputs 2 or more/);
  bad({ n: '8', influenceSpread: '0.5' }, /--influence-spread 0.5: expected a number ≥ 1/);
  bad({ n: '8', influenceSpread: 'x' }, /--influence-spread/);
  assert.throws(
    () => parseMakeNetFlags({ n: '8', k: '1', out: 'n.onnx', influenceSpread: '4' }),
    /--k 2 or more/,
  );
});
