import type { ProgressEvent } from '../recover/result.js';

/** Runs whose example rank would take less model time than this are not worth a line. */
export const ESTIMATE_WORTH_SECONDS = 60;

/**
 * Says, once, what a long run will cost before most of it is spent: after the first `n` rows (one
 * point's worth, enough to time the model), the model's measured speed and what each new
 * direction costs at it. The rank is not known in advance, so the line gives the cost per
 * direction (about `n` rows: a span of rank k costs about k(n − k) + k rows) rather than a
 * total. Quiet for runs that will be over in about a minute ({@link ESTIMATE_WORTH_SECONDS}).
 */
export class CostEstimate {
  #said = false;

  constructor(private readonly inputDim: number) {}

  /** The estimate line when this event is the first past the first point, else null. */
  update(e: ProgressEvent): string | null {
    const rows = e.queries ?? 0;
    const seconds = e.secondsInOracle ?? 0;
    if (this.#said || rows < this.inputDim || seconds <= 0) return null;
    this.#said = true;
    const rate = rows / seconds;
    const n = this.inputDim;
    const example = costRows(exampleRank(n), n) / rate;
    if (example < ESTIMATE_WORTH_SECONDS) return null;
    return (
      `the model answers ~${formatCount(rate)} rows/s; each new direction costs about ${formatCount(n)} rows ` +
      `(~${formatSeconds(n / rate)} of model time); a span of rank k costs about k(n − k) + k rows ` +
      `(k = ${exampleRank(n)}: ~${formatSeconds(example)})`
    );
  }
}

/** The floor k(n − k) + k: rows a span of rank k costs at best with one output. */
export function costRows(k: number, n: number): number {
  return k * (n - k) + k;
}

/** A rank to put a number on: 128 (a common first-layer width), or n when smaller. */
function exampleRank(n: number): number {
  return Math.min(n, 128);
}

function formatCount(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
  if (x >= 1e4) return `${Math.round(x / 1e3)}k`;
  return `${Math.round(x)}`;
}

function formatSeconds(s: number): string {
  if (s < 1) return `${s.toPrecision(2)} s`;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toPrecision(3)} h`;
}
