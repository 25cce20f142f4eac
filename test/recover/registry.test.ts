import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { main } from '../../src/cli/program.js';
import { UserError } from '../../src/errors.js';
import { writeNetworkOnnx } from '../../src/nets/onnxExport.js';
import { parseAccess } from '../../src/oracle/access.js';
import {
  methodNames,
  registerMethod,
  resolveMethod,
  unregisterMethod,
} from '../../src/recover/registry.js';
import { recoverSpan } from '../../src/recover/recoverSpan.js';
import { referenceOracle, tempDir } from '../helpers.js';
import { axesMethod } from './toyMethod.js';

registerMethod(axesMethod);
after(() => unregisterMethod(axesMethod.name));

test('a method added through the registry runs from the CLI with its own flag', async () => {
  const dir = tempDir();
  // A net whose first layer reads only some axes: zero the other columns of A.
  const oracle = referenceOracle({ inputDim: 8, firstWidth: 4, hiddenWidths: [6] });
  const a = oracle.network.layers[0].weight;
  for (let i = 0; i < a.rows; i++) for (const j of [1, 4, 6]) a.data[i * a.cols + j] = 0;
  await writeNetworkOnnx(join(dir, 'net.onnx'), oracle.network, { dtype: 'f64' });
  const out = join(dir, 'out');
  const code = await main([
    'recover',
    ...['--model', `onnx:${join(dir, 'net.onnx')}`, '--method', 'toy-axes'],
    ...['--axis-step', '0.5', '--out', out, '--quiet'],
  ]);
  assert.equal(code, 0);
  const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  assert.equal(result.method, 'toy-axes');
  assert.equal(result.rank, 5);
  assert.deepEqual(result.details, { axisStep: 0.5, responsive: 5 });
  assert.equal(result.queries, 9 + result.certificate.queries);
});

test("a method's flag is refused for a method that does not declare it", async () => {
  await assert.rejects(
    recoverSpan(referenceOracle({ inputDim: 6, firstWidth: 3 }), {
      method: 'gradient',
      methodOptions: { axisStep: 1 },
    }),
    (e: unknown) => e instanceof UserError && /--axis-step is not an option/.test(e.message),
  );
  await assert.rejects(
    recoverSpan(referenceOracle({ inputDim: 6, firstWidth: 3 }), {
      method: 'toy-axes',
      methodOptions: { axisStep: -1 },
    }),
    /--axis-step -1/,
  );
});

test('auto picks the accepting method of highest priority; names are unique', () => {
  assert.ok(methodNames().includes('toy-axes'));
  assert.equal(resolveMethod('auto', parseAccess('scores')).name, 'adaptive');
  assert.equal(resolveMethod('auto', parseAccess('score:0')).name, 'adaptive');
  assert.equal(resolveMethod('auto', parseAccess('label')).name, 'boundary');
  assert.equal(resolveMethod('auto', parseAccess('threshold:0:0.5')).name, 'boundary');
  assert.throws(() => resolveMethod('boundary', parseAccess('scores')), UserError);
  assert.throws(() => resolveMethod('toy-axes', parseAccess('label')), /cannot work from/);
  assert.throws(() => registerMethod(axesMethod), /taken/);
  assert.throws(() => registerMethod({ ...axesMethod, name: 'auto' }), /taken/);
});
