import type { RowStreamer } from './complementPoint.js';

/**
 * Where a decision flips along lines, from decisions alone (one bit or one label per query):
 * bisection, run on many lines in lockstep so that each round is one batch of queries.
 *
 * A line is `base + offset·along + t·direction` for scalar t; the caller states the side
 * (0 below, 1 above) it expects at `lo` and `hi`. Every midpoint that reads side 1 becomes the
 * new `hi`, side 0 the new `lo`, until `hi − lo ≤ resolution`. An end the caller only guessed
 * (`verified: false`) is checked with one query when the search never moved it; if the flip
 * lies beyond it, the bracket grows {@link EXPANSION_FACTOR}× in that direction and the search
 * goes on. A reading that is neither side (a third label: the line met another class) makes
 * the line invalid.
 */
export interface Line {
  readonly base: Float64Array;
  /** Offset direction (null: none). */
  readonly along: Float64Array | null;
  readonly offset: number;
  readonly direction: Float64Array;
  lo: number;
  hi: number;
  readonly resolution: number;
  /** Whether the sides at lo and hi are known (else checked when the search ends at them). */
  loVerified: boolean;
  hiVerified: boolean;
}

/** Reads a query's answer as side 0, side 1, or neither (null). */
export type SideOf = (answer: number) => 0 | 1 | null;

/** Growth of a bracket whose guessed end the flip lay beyond. */
export const EXPANSION_FACTOR = 8;
/** Expansions after which a line is given up (the flip lies 8^12 ≈ 7e10 brackets away). */
export const MAX_EXPANSIONS = 12;

/** The flip along a line: the midpoint of its final bracket, or NaN when the line failed. */
export interface Crossing {
  readonly t: number;
  readonly expansions: number;
}

type Query = 'mid' | 'lo' | 'hi' | null;

/**
 * Locate the flip on every line (in place: each line's final `lo`, `hi`); null when the budget
 * refused a round. Each round sends one row per line still searching.
 */
export async function locateCrossings(
  streamer: RowStreamer,
  lines: readonly Line[],
  sideOf: SideOf,
): Promise<Crossing[] | null> {
  const n = streamer.n;
  const invalid = new Uint8Array(lines.length);
  const expansions = new Int32Array(lines.length);
  const widths = lines.map((l) => l.hi - l.lo);
  for (;;) {
    const active: number[] = [];
    const kinds: Query[] = [];
    const ts: number[] = [];
    lines.forEach((l, i) => {
      if (invalid[i]) return;
      const kind = nextQuery(l);
      if (kind === null) return;
      active.push(i);
      kinds.push(kind);
      ts.push(kind === 'mid' ? (l.lo + l.hi) / 2 : kind === 'lo' ? l.lo : l.hi);
    });
    if (active.length === 0) break;
    const answered = await streamer.stream(
      active.length,
      (r, row) => writePoint(lines[active[r]], ts[r], row, n),
      (first, out) => {
        for (let r = 0; r < out.rows; r++) {
          const a = first + r;
          const i = active[a];
          const side = sideOf(out.data[r * out.cols]);
          if (side === null) invalid[i] = 1;
          else if (!update(lines[i], kinds[a], ts[a], side, widths, i, expansions)) invalid[i] = 1;
        }
      },
    );
    if (!answered) return null;
  }
  return lines.map((l, i) => ({
    t: invalid[i] ? NaN : (l.lo + l.hi) / 2,
    expansions: expansions[i],
  }));
}

function nextQuery(l: Line): Query {
  const mid = (l.lo + l.hi) / 2;
  // a bracket down to adjacent floats is resolved, whatever resolution was asked for
  if (l.hi - l.lo > l.resolution && mid > l.lo && mid < l.hi) return 'mid';
  if (!l.loVerified) return 'lo';
  if (!l.hiVerified) return 'hi';
  return null;
}

/** Apply one answer; false when the line is given up. */
function update(
  l: Line,
  kind: Query,
  t: number,
  side: 0 | 1,
  widths: number[],
  i: number,
  expansions: Int32Array,
): boolean {
  if (kind === 'mid') {
    if (side === 1) {
      l.hi = t;
      l.hiVerified = true;
    } else {
      l.lo = t;
      l.loVerified = true;
    }
    return true;
  }
  const beyond = kind === 'lo' ? side === 1 : side === 0;
  if (!beyond) {
    if (kind === 'lo') l.loVerified = true;
    else l.hiVerified = true;
    return true;
  }
  // The flip lies beyond the guessed end: the old end is a verified bracket end on the far side.
  if (++expansions[i] > MAX_EXPANSIONS) return false;
  widths[i] *= EXPANSION_FACTOR;
  if (kind === 'lo') {
    l.hi = l.lo;
    l.hiVerified = true;
    l.lo -= widths[i];
    l.loVerified = false;
  } else {
    l.lo = l.hi;
    l.loVerified = true;
    l.hi += widths[i];
    l.hiVerified = false;
  }
  return true;
}

function writePoint(l: Line, t: number, row: Float64Array, n: number): void {
  const { base, along, offset, direction } = l;
  if (along === null) {
    for (let j = 0; j < n; j++) row[j] = base[j] + t * direction[j];
  } else {
    for (let j = 0; j < n; j++) row[j] = base[j] + offset * along[j] + t * direction[j];
  }
}
