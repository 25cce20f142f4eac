import { appendFile, readFile, truncate } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { fsProblem } from '../io/safeFiles.js';

/**
 * A resumable store of finished runs: one JSON object per line, appended as each run ends, so
 * an interrupted experiment loses at most the run in flight. A torn last line (the process
 * died mid-write) is cut off, and that run is simply done again.
 */
export class ResultsStore<R> {
  private constructor(
    readonly path: string,
    private readonly keyOf: (r: R) => string,
    private readonly done: Map<string, R>,
  ) {}

  /** Open `path` (a missing file is an empty store); `keyOf` names a run's identity. */
  static async open<R>(path: string, keyOf: (r: R) => string): Promise<ResultsStore<R>> {
    const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return '';
      throw new UserError(`${path}: cannot read the earlier results (${fsProblem(e, 'read')})`);
    });
    const done = new Map<string, R>();
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    lines.forEach((line, i) => {
      const record = parseLine<R>(line);
      if (record === null) {
        if (i === lines.length - 1 && !text.endsWith('\n')) return; // torn by an interruption
        throw new UserError(`${path}: line ${i + 1} is not a results record`);
      }
      done.set(keyOf(record), record);
    });
    // A torn line would glue onto the next append: cut it off.
    if (text !== '' && !text.endsWith('\n')) await cutTornLine(path, text);
    return new ResultsStore(path, keyOf, done);
  }

  has(key: string): boolean {
    return this.done.has(key);
  }

  /** Every stored run, in the order first stored. */
  results(): R[] {
    return [...this.done.values()];
  }

  /** Store a finished run (on disk first, so the file never lags the memory). */
  async append(record: R): Promise<void> {
    try {
      await appendFile(this.path, JSON.stringify(record) + '\n');
    } catch (e) {
      throw new UserError(`${this.path}: cannot append a result (${fsProblem(e, 'write')})`);
    }
    this.done.set(this.keyOf(record), record);
  }
}

async function cutTornLine(path: string, text: string): Promise<void> {
  const whole = Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1));
  await truncate(path, whole).catch((e: unknown) => {
    throw new UserError(`${path}: cannot cut an interrupted last line (${fsProblem(e, 'write')})`);
  });
}

function parseLine<R>(line: string): R | null {
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as R) : null;
  } catch {
    return null;
  }
}
