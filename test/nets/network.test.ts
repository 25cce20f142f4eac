import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromRows } from '../../src/linalg/matrix.js';
import { activationFn, erf, forward, type Network } from '../../src/nets/network.js';

/** erf to a few ulps of 1: a float64 reference network must not be the noisiest part of a test. */
const ERF_ABS = 2e-15;

test('erf matches reference values on both sides of the series/continued-fraction switch', () => {
  // Values of C's erf (glibc), printed by Python's math.erf.
  const reference: [number, number][] = [
    [0.1, 0.1124629160182849],
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [1.5, 0.9661051464753108],
    [2, 0.9953222650189527],
    [2.4, 0.999311486103355],
    [2.5, 0.999593047982555],
    [2.6, 0.9997639655834707],
    [3, 0.9999779095030014],
    [4, 0.9999999845827421],
  ];
  for (const [x, y] of reference) {
    assert.ok(Math.abs(erf(x) - y) < ERF_ABS, `erf(${x}) = ${erf(x)}, expected ${y}`);
    assert.equal(erf(-x), -erf(x));
  }
  assert.equal(erf(0), 0);
});

test('erf is odd, bounded and increasing (property)', () => {
  fc.assert(
    fc.property(
      fc.double({ min: -8, max: 8, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (x, d) => {
        assert.ok(Math.abs(erf(x)) <= 1);
        assert.ok(erf(x + d) >= erf(x) - 1e-16);
      },
    ),
  );
});

test('forward applies the activation between layers but not after the last', () => {
  const net: Network = {
    activation: 'relu',
    layers: [
      {
        weight: fromRows([
          [1, -1],
          [2, 0],
        ]),
        bias: Float64Array.from([0, -1]),
      },
      { weight: fromRows([[1, 1]]), bias: Float64Array.from([-5]) },
    ],
  };
  const out = forward(
    net,
    fromRows([
      [1, 2],
      [3, 1],
    ]),
  );
  // hidden: relu([-1, 1]) = [0, 1] -> 1 - 5; relu([2, 5]) -> 7 - 5
  assert.deepEqual(Array.from(out.data), [-4, 2]);
  assert.equal(activationFn('leaky')(-2), -0.02);
  assert.equal(activationFn('sigmoid')(0), 0.5);
});
