import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatNumber, formatPercent, MISSING } from '../../src/report/format.js';

/** Three significant digits: the printed value is within half a unit of the third digit. */
const THREE_DIGITS_RELATIVE = 5e-3;

/** The number a reader gets back from the printed text. */
function readBack(text: string): number {
  return Number(text.replace(/\u2009/g, ''));
}

describe('formatNumber', () => {
  it('prints integers exactly, grouped by thousands', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => {
        assert.equal(readBack(formatNumber(n)), n);
      }),
    );
    assert.equal(formatNumber(4731), '4\u2009731');
  });

  it('keeps three significant digits of any other finite number', () => {
    const measured = fc
      .double({ min: 1e-300, max: 1e300, noNaN: true })
      .filter((x) => !Number.isInteger(x));
    fc.assert(
      fc.property(measured, fc.boolean(), (size, negative) => {
        const x = negative ? -size : size;
        const printed = formatNumber(x);
        assert.ok(printed.length <= 10, printed);
        assert.ok(Math.abs(readBack(printed) - x) <= THREE_DIGITS_RELATIVE * Math.abs(x), printed);
      }),
    );
    assert.equal(formatNumber(3.804e-10), '3.8e-10');
    assert.equal(formatNumber(1.8553), '1.86');
  });

  it('shows a dash for missing and non-finite values', () => {
    for (const x of [null, undefined, NaN, Infinity, -Infinity])
      assert.equal(formatNumber(x), MISSING);
    assert.equal(formatPercent(null), MISSING);
    assert.equal(formatPercent(0.975), '97.5 %');
  });
});
