/**
 * The query journal: every request a run pays for, and its answer, in an SQLite file in the
 * run's output folder, written as each answer arrives. SQLite in WAL mode makes each write
 * durable against a crash or `kill -9` of our process once the statement returns (the OS
 * holds it); a power loss may lose the last few (synchronous=NORMAL), never corrupt the file.
 */
import Database from 'better-sqlite3';
import { UserError } from '../errors.js';

/** One journaled request that was answered. */
export interface JournalAnswer {
  readonly hash: string;
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run INTEGER NOT NULL,   -- 1 for the first run, +1 per resume
    seq INTEGER NOT NULL,   -- position of the request in the run's deterministic order
    hash TEXT NOT NULL,     -- sha256 of the rows sent
    rows INTEGER NOT NULL,
    paid INTEGER NOT NULL,  -- rows counted as sent to the model (all of them until known)
    cols INTEGER,           -- NULL while unanswered (in flight, failed, or lost in a crash)
    answer BLOB
  );`;

/** An open journal file. */
export class QueryJournal {
  readonly #db: Database.Database;
  readonly run: number;

  private constructor(db: Database.Database) {
    this.#db = db;
    const last = db.prepare('SELECT MAX(run) AS run FROM requests').get() as { run: number | null };
    this.run = (last.run ?? 0) + 1;
  }

  /** Open (creating if needed) the journal at `path`. */
  static open(path: string): QueryJournal {
    try {
      const db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(SCHEMA);
      return new QueryJournal(db);
    } catch (e) {
      throw new UserError(`${path}: cannot open the query journal (${(e as Error).message})`);
    }
  }

  getMeta(key: string): string | undefined {
    const row = this.#db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.#db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
  }

  /** Rows paid for by earlier runs of this journal. */
  paidBefore(): number {
    const r = this.#db
      .prepare('SELECT COALESCE(SUM(paid), 0) AS paid FROM requests WHERE run < ?')
      .get(this.run) as { paid: number };
    return r.paid;
  }

  /** The answered requests of earlier runs, by sequence number. */
  answersBefore(): Map<number, JournalAnswer> {
    const rows = this.#db
      .prepare(
        'SELECT seq, hash, rows, cols, answer FROM requests ' +
          'WHERE run < ? AND answer IS NOT NULL ORDER BY id',
      )
      .all(this.run) as { seq: number; hash: string; rows: number; cols: number; answer: Buffer }[];
    const out = new Map<number, JournalAnswer>();
    for (const r of rows) {
      const bytes = new Uint8Array(r.answer);
      const data = new Float64Array(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      );
      out.set(r.seq, { hash: r.hash, rows: r.rows, cols: r.cols, data });
    }
    return out;
  }

  /** Record a request about to be sent (paid in full until {@link settle}); its id. */
  begin(seq: number, hash: string, rows: number): number {
    const info = this.#db
      .prepare('INSERT INTO requests (run, seq, hash, rows, paid) VALUES (?, ?, ?, ?, ?)')
      .run(this.run, seq, hash, rows, rows);
    return Number(info.lastInsertRowid);
  }

  /** Record the answer to request `id`. */
  /** A request that failed: only `rows` of it reached the model (as its backend tells). */
  settlePaid(id: number, rows: number): void {
    this.#db.prepare('UPDATE requests SET paid = ? WHERE id = ?').run(rows, id);
  }

  answer(id: number, cols: number, data: Float64Array): void {
    const blob = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.#db.prepare('UPDATE requests SET cols = ?, answer = ? WHERE id = ?').run(cols, blob, id);
  }

  close(): void {
    this.#db.close();
  }
}
