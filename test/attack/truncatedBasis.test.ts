import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelKeptByBasisFraction, truncateBasis } from '../../src/attack/truncatedBasis.js';
import { orthonormalRows } from '../../src/linalg/orthonormal.js';
import { Rng } from '../../src/random/rng.js';
import { firstLayer, referenceOracle } from '../helpers.js';

test('truncateBasis keeps the first share of the rows', () => {
  const q = { rows: 10, cols: 3, data: Float64Array.from({ length: 30 }, (_, i) => i) };
  assert.equal(truncateBasis(q, 1).rows, 10);
  assert.equal(truncateBasis(q, 0.5).rows, 5);
  assert.deepEqual(Array.from(truncateBasis(q, 0.2).data), [0, 1, 2, 3, 4, 5]);
  assert.equal(truncateBasis(q, 0).rows, 0);
});

test('labels survive obfuscation under the whole span and fall as directions are dropped', async () => {
  const oracle = referenceOracle({ inputDim: 40, firstWidth: 20, outputs: 10 }, 3);
  const q = orthonormalRows(firstLayer(oracle));
  const inputs = { rows: 50, cols: 40, data: new Rng(5).gaussianVector(50 * 40) };
  const series = await labelKeptByBasisFraction(
    oracle,
    q,
    inputs,
    [1, 0.5, 0],
    { scale: 4, box: null },
    new Rng(6),
  );
  assert.deepEqual(
    series.map((p) => p.basisFraction),
    [1, 0.5, 0],
  );
  assert.equal(series[0].labelKept, 1, 'the whole span: every label kept');
  // noise 4× the input through half or none of the span: most labels change (measured 0.3, 0.2)
  assert.ok(series[1].labelKept < 0.6, `half the span: ${series[1].labelKept}`);
  assert.ok(series[2].labelKept < 0.6, `no span: ${series[2].labelKept}`);
});
