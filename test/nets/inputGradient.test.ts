import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HEADS } from '../../src/nets/head.js';
import { inputGradient } from '../../src/nets/inputGradient.js';
import { ACTIVATIONS, forwardRow } from '../../src/nets/network.js';
import { randomNetwork } from '../../src/nets/randomNetwork.js';
import { Rng } from '../../src/random/rng.js';
import { centralDifferenceVjp } from './differences.js';

/**
 * Central-difference step, and a bound on its truncation error h²/6·|f'''| for these small
 * O(1) nets. (A relu kink within 1e-6 of a random point is a ~1e-5 event; the seeds are fixed.)
 */
const FD_STEP = 1e-6;
const FD_TRUNCATION = 1e-10;

test('inputGradient is the gradient of cᵀf for every activation, head and LayerNorm', () => {
  let seed = 0;
  for (const activation of ACTIVATIONS) {
    for (const head of HEADS) {
      for (const layerNorm of [false, true]) {
        const rng = new Rng(3000 + seed++);
        const net = randomNetwork(
          {
            inputDim: 9,
            firstWidth: 6,
            hiddenWidths: [5],
            outputs: 3,
            activation,
            bias: true,
            head,
            layerNorm,
          },
          rng,
        );
        const x = rng.gaussianVector(9);
        const c = rng.gaussianVector(3);
        const grad = inputGradient(net, x, c);
        const fd = centralDifferenceVjp((v) => forwardRow(net, v), x, c, FD_STEP);
        fd.vjp.forEach((d, i) => {
          const what = `${activation} ${head} layerNorm=${layerNorm} ∂/∂x_${i}`;
          const tol = fd.roundingBound[i] + FD_TRUNCATION;
          assert.ok(Math.abs(d - grad[i]) <= tol, `${what}: ${d} vs ${grad[i]}`);
        });
      }
    }
  }
});
