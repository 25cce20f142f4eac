import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import type { QueryJournal, JournalAnswer } from '../io/queryJournal.js';
import type { Matrix } from '../linalg/matrix.js';
import { Limiter } from './limiter.js';
import { ModelWrapper } from './modelWrapper.js';
import type { Oracle } from './oracle.js';

/**
 * Rows per journaled request: a crash loses at most the requests in flight, so small requests
 * lose little. A method's batch is split into such requests, `concurrency` at a time (1 for a
 * backend that runs one request at a time: at most 32 rows lost; 8 for an HTTP server: 256).
 */
export const JOURNAL_ROWS_PER_REQUEST = 32;

/**
 * Records every request to the model and its answer in a {@link QueryJournal}, and on a
 * resumed run answers from it: a method replays its deterministic queries with the same seed,
 * and each request the journal already holds (same position, same rows by content hash) is
 * answered without reaching the model. It sits between the backend and the counter.
 *
 * Counting: the counter above counts replayed rows as the first run did, so the run takes the
 * same path (budget decisions included). Rows paid for earlier but never answered (in flight
 * at a crash, or failed) are added once, as setup rows. Journaled answers the resumed run did
 * not replay are in {@link unreplayedRows}; so the counter plus those is the total paid.
 */
export class JournalOracle extends ModelWrapper {
  readonly #journal: QueryJournal;
  readonly #earlier: Map<number, JournalAnswer>;
  readonly #lostRows: number;
  #seq = 0;
  #replayed = new Set<number>();
  #paid = 0;
  readonly #limiter: Limiter;

  /** @param concurrency - requests in flight at once (what the backend can use). */
  constructor(model: Oracle, journal: QueryJournal, concurrency = 1) {
    super(model);
    this.#journal = journal;
    this.#limiter = new Limiter(concurrency);
    this.#earlier = journal.answersBefore();
    let answered = 0;
    for (const a of this.#earlier.values()) answered += a.rows;
    this.#lostRows = journal.paidBefore() - answered;
  }

  /** Rows paid in earlier runs of the journal. */
  get paidBefore(): number {
    return this.#journal.paidBefore();
  }
  /** Rows this run answered from the journal. */
  get replayedRows(): number {
    let rows = 0;
    for (const seq of this.#replayed) rows += this.#earlier.get(seq)?.rows ?? 0;
    return rows;
  }
  /** Journaled answers of earlier runs that this run has not (yet) replayed, in rows. */
  get unreplayedRows(): number {
    let rows = 0;
    for (const [seq, a] of this.#earlier) if (!this.#replayed.has(seq)) rows += a.rows;
    return rows;
  }

  override get setupQueries(): number {
    return (this.model.setupQueries ?? 0) + this.#lostRows;
  }
  /** Replayed rows plus rows paid now: what the counter counts when a batch fails. */
  override get rowsSent(): number {
    return this.replayedRows + this.#paid;
  }

  async query(inputs: Matrix): Promise<Matrix> {
    const size = JOURNAL_ROWS_PER_REQUEST;
    // After a failure, requests not yet started are not sent (nor paid): the batch has failed.
    let failure: unknown = null;
    const starts = Array.from({ length: Math.ceil(inputs.rows / size) }, (_, i) => i * size);
    const settled = await Promise.allSettled(
      starts.map((start) => {
        const rows = Math.min(size, inputs.rows - start);
        const data = inputs.data.subarray(start * inputs.cols, (start + rows) * inputs.cols);
        const seq = this.#seq++; // taken now, in call order: the same on every replay
        return this.#limiter.run(async () => {
          if (failure !== null) throw failure;
          try {
            return await this.#request(seq, { rows, cols: inputs.cols, data });
          } catch (e) {
            failure ??= e;
            throw e;
          }
        });
      }),
    );
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    const parts = settled.map((s) => (s as PromiseFulfilledResult<Matrix>).value);
    const cols = parts[0]?.cols ?? this.model.outputDim ?? 0;
    const out = new Float64Array(inputs.rows * cols);
    parts.forEach((part, i) => out.set(part.data, starts[i] * cols));
    return { rows: inputs.rows, cols, data: out };
  }

  async #request(seq: number, rows: Matrix): Promise<Matrix> {
    const hash = hashRows(rows);
    const earlier = this.#earlier.get(seq);
    if (earlier !== undefined) {
      if (earlier.hash !== hash) {
        throw new ResumeMismatchError(seq);
      }
      this.#replayed.add(seq);
      return { rows: earlier.rows, cols: earlier.cols, data: earlier.data.slice() };
    }
    const id = this.#journal.begin(seq, hash, rows.rows);
    // Paid from here on, as journaled: a failed request stays paid in full, unless its backend
    // tells how many rows it delivered (a dead program's refusal delivers none).
    this.#paid += rows.rows;
    const sentBefore = this.model.rowsSent;
    try {
      const out = await this.model.query(rows);
      this.#journal.answer(id, out.cols, out.data);
      return out;
    } catch (e) {
      const sentAfter = this.model.rowsSent;
      if (sentBefore !== undefined && sentAfter !== undefined) {
        const delivered = Math.min(rows.rows, sentAfter - sentBefore);
        this.#paid -= rows.rows - delivered;
        this.#journal.settlePaid(id, delivered);
      }
      throw e;
    }
  }
}

/** A resumed run asked for other rows than the journal holds: not the model's fault, fatal. */
export class ResumeMismatchError extends UserError {
  constructor(readonly seq: number) {
    super(
      `--resume: request ${seq} differs from the journal's; resume with the same model, ` +
        'method, options and seed as the interrupted run',
    );
    this.name = 'ResumeMismatchError';
  }
}

/** sha256 of a batch's shape and float64 bytes: the same rows give the same hash. */
export function hashRows(m: Matrix): string {
  const h = createHash('sha256');
  h.update(`${m.rows}x${m.cols}:`);
  h.update(new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength));
  return h.digest('hex');
}
