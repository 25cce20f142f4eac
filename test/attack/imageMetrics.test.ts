import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { argmax, finiteMean, pearson, psnrDb } from '../../src/attack/imageMetrics.js';

/** Sums of a few dozen products in float64: rounding only. */
const TOL = 1e-12;

const vector = fc.array(fc.double({ min: -10, max: 10, noNaN: true }), {
  minLength: 3,
  maxLength: 40,
});
const nonConstant = vector.filter((v) => Math.max(...v) - Math.min(...v) > 1e-3);

describe('image metrics', () => {
  it('pearson is ±1 for an affine copy and symmetric (property)', () => {
    fc.assert(
      fc.property(
        nonConstant,
        nonConstant,
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        (a, b, s) => {
          assert.ok(
            Math.abs(
              pearson(
                a,
                a.map((v) => s * v + 3),
              ) - 1,
            ) <= TOL,
          );
          assert.ok(
            Math.abs(
              pearson(
                a,
                a.map((v) => -s * v),
              ) + 1,
            ) <= TOL,
          );
          if (a.length === b.length) assert.ok(Math.abs(pearson(a, b) - pearson(b, a)) <= TOL);
        },
      ),
    );
  });

  it('pearson is undefined (NaN) for a constant vector', () => {
    assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
  });

  it('psnr of a uniform shift d under peak p is 20·log10(p/d) (property)', () => {
    fc.assert(
      fc.property(
        vector,
        fc.double({ min: 1e-3, max: 10, noNaN: true }),
        fc.double({ min: 0.5, max: 255, noNaN: true }),
        (a, d, p) => {
          const got = psnrDb(
            a,
            a.map((v) => v + d),
            p,
          );
          assert.ok(Math.abs(got - 20 * Math.log10(p / d)) <= 1e-9);
        },
      ),
    );
    assert.equal(psnrDb([1, 2], [1, 2], 1), Infinity);
  });

  it('finiteMean leaves out NaN and infinities; argmax takes the first largest', () => {
    assert.equal(finiteMean([1, NaN, 3, Infinity]), 2);
    assert.equal(finiteMean([NaN]), null);
    assert.equal(argmax([0, 3, 3, -1]), 1);
  });
});
