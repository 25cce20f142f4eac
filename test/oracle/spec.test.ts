import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { UserError } from '../../src/errors.js';
import { fromRows } from '../../src/linalg/matrix.js';
import { forward } from '../../src/nets/network.js';
import { writeNetworkOnnx } from '../../src/nets/onnxExport.js';
import { randomNetwork } from '../../src/nets/randomNetwork.js';
import { CmdOracle } from '../../src/oracle/cmdOracle.js';
import { OnnxOracle } from '../../src/oracle/onnxOracle.js';
import { openModel, parseModelSpec, type ModelSpec } from '../../src/oracle/spec.js';
import { Rng } from '../../src/random/rng.js';
import { tempDir } from '../helpers.js';

/** f64 ONNX model vs the float64 reference: summation order only. */
const F64_REL = 1e-12;

/** A bad spec: a UserError with exit code 2 and a one-line message matching `pattern`. */
function badSpec(pattern: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof UserError, `not a UserError: ${String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.ok(!/[\r\n]/.test(e.message), `not one line: ${JSON.stringify(e.message)}`);
    assert.match(e.message, pattern);
    return true;
  };
}

/** Text without line breaks and without leading or trailing blanks, not empty. */
const word = fc
  .string({ minLength: 1, maxLength: 30 })
  .map((s) => s.replace(/[\r\n]/g, '_').trim())
  .filter((s) => s !== '');

describe('parseModelSpec', () => {
  it('reads each kind, keeping the rest of the text as it is (property)', () => {
    fc.assert(
      fc.property(word, (rest) => {
        assert.deepEqual(parseModelSpec(`onnx:${rest}`), { kind: 'onnx', path: rest });
        assert.deepEqual(parseModelSpec(`cmd:  ${rest} `), { kind: 'cmd', command: rest });
        assert.deepEqual(parseModelSpec(`builtin:${rest}`), { kind: 'builtin', name: rest });
      }),
    );
    assert.deepEqual(parseModelSpec('onnx:C:/models/a b.onnx'), {
      kind: 'onnx',
      path: 'C:/models/a b.onnx',
    });
    assert.deepEqual(parseModelSpec('cmd:python3 serve.py --port 1'), {
      kind: 'cmd',
      command: 'python3 serve.py --port 1',
    });
    for (const url of ['http://localhost:8000/v2/models/mlp', 'https://h:1/v2/models/x']) {
      assert.deepEqual(parseModelSpec(url), { kind: 'http', url });
    }
    assert.deepEqual(parseModelSpec('builtin:mnist'), { kind: 'builtin', name: 'mnist' });
  });

  it('refuses a spec of no known kind or with an empty part, in one line', () => {
    const cases: [string, RegExp][] = [
      ['onnx:', /onnx:PATH needs a path/],
      ['cmd:', /cmd:COMMAND needs a command/],
      ['cmd:  \t ', /cmd:COMMAND needs a command/],
      ['builtin:', /builtin:NAME needs a name/],
      ['', /expected onnx:PATH, cmd:COMMAND, http/],
      ['model.onnx', /^--model model\.onnx: expected onnx:PATH/],
      ['ONNX:model.onnx', /^--model ONNX:model\.onnx: expected/],
      ['ftp://host/model', /^--model ftp:\/\/host\/model: expected/],
      ['net\n.onnx', /^--model net \| \.onnx: expected/],
    ];
    for (const [text, pattern] of cases)
      assert.throws(() => parseModelSpec(text), badSpec(pattern));
  });
});

describe('openModel', () => {
  const dir = tempDir('spanrec-spec-');

  it('onnx: opens the file as an OnnxOracle that computes the network', async () => {
    const net = randomNetwork(
      { inputDim: 5, firstWidth: 4, hiddenWidths: [], outputs: 3, activation: 'relu', bias: true },
      new Rng(11),
    );
    const path = join(dir, 'net.onnx');
    await writeNetworkOnnx(path, net, { dtype: 'f64' });
    const model = await openModel(parseModelSpec(`onnx:${path}`));
    try {
      assert.ok(model instanceof OnnxOracle);
      assert.deepEqual([model.inputDim, model.outputDim, model.precision], [5, 3, 'f64']);
      const x = fromRows([
        [1, -2, 0.5, 3, 0],
        [0, 1, 1, -1, 2],
      ]);
      const y = await model.query(x);
      const expected = forward(net, x);
      y.data.forEach((v, i) => {
        const tol = F64_REL * Math.max(1, Math.abs(expected.data[i]));
        assert.ok(Math.abs(v - expected.data[i]) <= tol, `${v} vs ${expected.data[i]}`);
      });
    } finally {
      await model.dispose();
    }
    await assert.rejects(
      openModel(parseModelSpec(`onnx:${path}`), { inputName: 'nope' }),
      badSpec(/nope/),
    );
    await assert.rejects(
      openModel(parseModelSpec(`onnx:${join(dir, 'missing.onnx')}`)),
      badSpec(/missing\.onnx' not found/),
    );
  });

  it('cmd: needs --input-dim, then talks to the program; a precision override applies', async () => {
    await assert.rejects(openModel(parseModelSpec('cmd:cat')), badSpec(/needs --input-dim N/));
    // Answers each row with the sum of its entries (m = 1).
    const script = join(dir, 'sum.mjs');
    writeFileSync(
      script,
      "import { createInterface } from 'node:readline';\n" +
        'for await (const line of createInterface({ input: process.stdin })) {\n' +
        '  const { inputs } = JSON.parse(line);\n' +
        '  const outputs = inputs.map((r) => [r.reduce((a, b) => a + b, 0)]);\n' +
        '  process.stdout.write(JSON.stringify({ outputs }) + "\\n");\n' +
        '}\n',
    );
    const spec = parseModelSpec(`cmd:"${process.execPath}" "${script}"`);
    const model = await openModel(spec, { inputDim: 2, precision: 'f32' });
    try {
      assert.ok(!(model instanceof CmdOracle), 'the override wraps the backend');
      assert.equal(model.precision, 'f32');
      assert.equal(model.inputDim, 2);
      assert.equal(model.outputDim, undefined);
      const y = await model.query(
        fromRows([
          [1, 2],
          [3, -4],
          [0.5, 0.25],
        ]),
      );
      assert.deepEqual(Array.from(y.data), [3, -1, 0.75]);
      assert.equal(model.outputDim, 1);
      assert.equal(model.rowsSent, 3, 'the counter above still sees rows sent');
    } finally {
      await model.dispose();
    }
    const plain = await openModel(spec, { inputDim: 2 });
    assert.ok(plain instanceof CmdOracle);
    assert.equal(plain.precision, 'unknown');
    await plain.dispose();
  });

  it('an unknown builtin and a bad http URL are refused before any request', async () => {
    const cases: [ModelSpec, RegExp][] = [
      [parseModelSpec('http://localhost:1/v2/models'), /expected http\(s\):\/\/HOST:PORT/],
      [
        parseModelSpec('builtin:nope'),
        /builtin:nope: no such bundled model \(known: builtin:mnist\)/,
      ],
    ];
    for (const [spec, pattern] of cases) await assert.rejects(openModel(spec), badSpec(pattern));
  });
});
