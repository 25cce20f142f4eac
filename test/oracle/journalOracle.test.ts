import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../src/errors.js';
import { QueryJournal } from '../../src/io/queryJournal.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { compareSubspaces } from '../../src/linalg/principalAngles.js';
import { JOURNAL_ROWS_PER_REQUEST, JournalOracle } from '../../src/oracle/journalOracle.js';
import type { Oracle } from '../../src/oracle/oracle.js';
import { recoverSpan } from '../../src/recover/recoverSpan.js';
import { referenceOracle, tempDir } from '../helpers.js';

/** Replayed answers are the same float64 bytes: the resumed basis is the same to rounding. */
const SAME_BASIS_RAD = 1e-12;

const dir = tempDir();
const model = referenceOracle({ inputDim: 24, firstWidth: 10, outputs: 2 });

/** The model, but every request from the `dieAt`-th on never answers: a process about to die. */
function dyingModel(dieAt: number): Oracle & { answered: number } {
  let calls = 0;
  const wrapper = {
    answered: 0,
    inputDim: model.inputDim,
    outputDim: model.outputDim,
    precision: model.precision,
    query: async (inputs: Matrix): Promise<Matrix> => {
      if (calls++ >= dieAt) return new Promise<Matrix>(() => {});
      wrapper.answered += inputs.rows;
      return model.query(inputs);
    },
    dispose: async () => {},
  };
  return wrapper;
}

test('killed mid-run, then resumed: the same basis, and the rows in flight paid once more at most', async () => {
  const whole = await recoverSpan(model, { seed: 4 });
  const path = join(dir, 'crash.sqlite');
  const first = QueryJournal.open(path);
  const dying = dyingModel(5); // of about 12 requests of 32 rows
  void recoverSpan(new JournalOracle(dying, first), { seed: 4 }); // never finishes
  await new Promise((r) => setTimeout(r, 200));
  first.close(); // the process is gone; the journal file stays
  assert.ok(dying.answered > 0 && dying.answered < whole.queries);

  const journal = QueryJournal.open(path);
  assert.equal(journal.run, 2);
  const resumedOracle = new JournalOracle(model, journal);
  const resumed = await recoverSpan(resumedOracle, { seed: 4 });
  journal.close();
  assert.ok(compareSubspaces(resumed.result.basis, whole.result.basis).maxAngle < SAME_BASIS_RAD);
  assert.equal(resumedOracle.replayedRows, dying.answered, 'every answer paid for was replayed');
  assert.equal(resumedOracle.unreplayedRows, 0);
  const lost = resumed.queries - whole.queries;
  assert.ok(lost > 0 && lost <= JOURNAL_ROWS_PER_REQUEST, `lost ${lost} rows`);
});

test('a resumed run whose queries differ from the journal is refused, naming --resume', async () => {
  const path = join(dir, 'diverge.sqlite');
  const j1 = QueryJournal.open(path);
  await recoverSpan(new JournalOracle(model, j1), { seed: 1 });
  j1.close();
  const j2 = QueryJournal.open(path);
  await assert.rejects(
    recoverSpan(new JournalOracle(model, j2), { seed: 2 }),
    (e) => e instanceof UserError && /--resume: request 0 differs/.test(e.message),
  );
  j2.close();
});
