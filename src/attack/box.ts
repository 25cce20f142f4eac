import { UserError } from '../errors.js';

/** A closed interval `[lo, hi]` that every entry of an input must lie in (e.g. pixels 0:1). */
export interface Box {
  readonly lo: number;
  readonly hi: number;
}

/**
 * Parse `LO:HI` (finite, LO < HI).
 * @throws UserError naming the flag and the bad value.
 */
export function parseBox(flag: string, text: string): Box {
  const parts = text.split(':');
  const [lo, hi] = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (parts.length !== 2 || !Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
    throw new UserError(`${flag} ${text}: expected LO:HI with finite numbers LO < HI, e.g. 0:1`);
  }
  return { lo, hi };
}

/** Clip every entry of `v` into the box, in place; returns `v`. */
export function clipIntoBox(v: Float64Array, box: Box): Float64Array {
  for (let t = 0; t < v.length; t++) v[t] = Math.min(box.hi, Math.max(box.lo, v[t]));
  return v;
}
