import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { QueryJournal } from '../io/queryJournal.js';

/** The journal's file name inside a run's `--out` folder. */
export const JOURNAL_FILE = 'journal.sqlite';

/**
 * Open the query journal of a run in `dir`. A new run (`resume` false) starts a fresh journal,
 * but refuses to discard the journal of an unfinished run that paid for queries; a
 * resumed run needs a journal of the same run (`identity`: model, method, options, seed) whose
 * paid queries fit in `budget`.
 */
export async function openRunJournal(
  dir: string,
  identity: string,
  resume: boolean,
  budget: number | null,
): Promise<QueryJournal> {
  const path = join(dir, JOURNAL_FILE);
  if (!resume && existsSync(path)) {
    const old = QueryJournal.open(path);
    // Nothing is lost with a finished run's journal, or one that paid for nothing.
    const disposable = old.getMeta('finished') === 'true' || old.paidBefore() === 0;
    old.close();
    if (!disposable) {
      throw new UserError(
        `--out ${dir} holds the journal of an unfinished run: continue it with --resume ${dir}, ` +
          `or remove ${path}`,
      );
    }
    for (const suffix of ['', '-wal', '-shm']) await rm(path + suffix, { force: true });
  }
  if (resume && !existsSync(path)) throw new UserError(`--resume ${dir}: no ${JOURNAL_FILE} there`);
  const journal = QueryJournal.open(path);
  if (resume) {
    const problem =
      journal.getMeta('run') !== identity
        ? 'the journal is of another run (model, method, options and seed must be the same)'
        : budget !== null && journal.paidBefore() > budget
          ? `the journal already holds ${journal.paidBefore()} paid queries, more than --budget ${budget}`
          : null;
    if (problem !== null) {
      journal.close();
      throw new UserError(`--resume ${dir}: ${problem}`);
    }
  }
  journal.setMeta('run', identity);
  journal.setMeta('finished', 'false');
  return journal;
}
