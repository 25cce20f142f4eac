import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRows, zeros } from '../../src/linalg/matrix.js';
import {
  orthonormalRows,
  projectOntoComplement,
  randomOrthonormal,
} from '../../src/linalg/orthonormal.js';
import { pointGradients, stencilRows } from '../../src/recover/differences.js';
import { defaultStep, unitRoundoff } from '../../src/recover/precision.js';
import { Rng } from '../../src/random/rng.js';
import { firstLayer, referenceOracle } from '../helpers.js';

/** A float64 forward difference on a piecewise-linear net errs by rounding only: ~1e-10 relative. */
const F64_GRADIENT_IN_SPAN = 1e-8;

test('a step across a ReLU kink is caught by the check', async () => {
  // f(x) = relu(x0) + 2 x1, at x0 just below 0 so that the e0 step crosses the kink.
  const step = 1e-6;
  const x = new Float64Array([-0.4 * step, 1]);
  const checkDirections = fromRows([[Math.SQRT1_2, Math.SQRT1_2]]);
  const rows = stencilRows({ x, checkDirections }, step);
  assert.equal(rows.rows, 4);
  const outputs = zeros(rows.rows, 1);
  for (let r = 0; r < rows.rows; r++) {
    outputs.data[r] = Math.max(rows.data[r * 2], 0) + 2 * rows.data[r * 2 + 1];
  }
  const pg = pointGradients({ x, checkDirections }, outputs, step, unitRoundoff('f64'));
  assert.ok(pg.kinked, `check ratio ${pg.checkRatio}`);
});

test('on a float64 ReLU net, clean points pass and accepted gradients lie in the row span', async () => {
  const oracle = referenceOracle({ inputDim: 40, firstWidth: 15 });
  const truth = orthonormalRows(firstLayer(oracle));
  const rng = new Rng(3);
  const step = defaultStep('f64');
  let kinked = 0;
  const points = 200;
  for (let i = 0; i < points; i++) {
    const stencil = { x: rng.gaussianVector(40), checkDirections: randomOrthonormal(1, 40, rng) };
    const out = await oracle.query(stencilRows(stencil, step));
    const pg = pointGradients(stencil, out, step, unitRoundoff('f64'));
    if (pg.kinked) {
      kinked++;
      continue;
    }
    const g = pg.gradients.data;
    const norm = Math.hypot(...g);
    if (norm === 0) continue;
    const off = Math.hypot(...projectOntoComplement(truth, g));
    assert.ok(off / norm < F64_GRADIENT_IN_SPAN, `point ${i}: off-span ${off / norm}`);
  }
  assert.ok(kinked < points * 0.05, `${kinked} of ${points} points kinked`);
});
