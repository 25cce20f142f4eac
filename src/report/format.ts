/**
 * Numbers as the report prints them: integers exactly (with thin-space thousands separators),
 * other numbers to 3 significant digits, very large or small ones in exponent form.
 */

/** Below this magnitude (or at/above LARGE) a number is printed as 1.23e-5. */
const SMALL = 1e-3;
const LARGE = 1e6;
/** Significant digits shown for a measured quantity: enough to compare, few enough to read. */
const DIGITS = 3;

/** A dash for a missing (null) or non-finite value, since those have no digits to show. */
export const MISSING = '—';

export function formatNumber(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return MISSING;
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return groupThousands(x);
  const size = Math.abs(x);
  // At 1000 and above, whole units are precise enough and toPrecision would switch to 1.23e+3.
  if (size >= 1000 && size < LARGE) return groupThousands(Math.round(x));
  if (size >= SMALL && size < LARGE) return trimZeros(x.toPrecision(DIGITS));
  const [mantissa, exponent] = x.toExponential(DIGITS - 1).split('e');
  return `${trimZeros(mantissa)}e${exponent.replace('+', '')}`;
}

/** A share 0..1 as a percentage with one decimal ("97.5 %"). */
export function formatPercent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return MISSING;
  return `${(share * 100).toFixed(1)} %`;
}

function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
}

/** "1.50" -> "1.5", "2.00" -> "2": the digits carry no information. */
function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
