/** How much an obfuscated input still looks like its original, pixel by pixel. */

/**
 * Pearson correlation of two equally long vectors; `NaN` when either is constant (the
 * correlation is undefined there, and callers leave such inputs out of their means).
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let t = 0; t < n; t++) {
    ma += a[t];
    mb += b[t];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let t = 0; t < n; t++) {
    const da = a[t] - ma;
    const db = b[t] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/**
 * Peak signal-to-noise ratio of `distorted` against `original`, in dB:
 * `10·log10(peak² / mean squared difference)`; `Infinity` when they are equal.
 * @param peak - the range the values live in (`hi − lo` of the box, or of the data).
 */
export function psnrDb(
  original: ArrayLike<number>,
  distorted: ArrayLike<number>,
  peak: number,
): number {
  let sum = 0;
  for (let t = 0; t < original.length; t++) sum += (distorted[t] - original[t]) ** 2;
  return 10 * Math.log10((peak * peak) / (sum / original.length));
}

/** The mean of the finite values, or `null` when there are none. */
export function finiteMean(values: readonly number[]): number | null {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length === 0 ? null : finite.reduce((s, v) => s + v, 0) / finite.length;
}

/** Index of the largest entry (the first one on ties): the top-1 label. */
export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let t = 1; t < v.length; t++) if (v[t] > v[best]) best = t;
  return best;
}
