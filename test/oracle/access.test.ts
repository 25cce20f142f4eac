import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { UserError } from '../../src/errors.js';
import { fromRows, type Matrix } from '../../src/linalg/matrix.js';
import {
  AccessOracle,
  formatAccess,
  parseAccess,
  type AccessLevel,
} from '../../src/oracle/access.js';
import type { Oracle } from '../../src/oracle/oracle.js';
import { buildOracleStack } from '../../src/oracle/stack.js';
import { MockModel } from './mockModel.js';

const batch = fromRows([
  [1, 2, 3],
  [-1, 0.5, 2],
]);

test('access levels parse and format back to the same text', () => {
  for (const text of ['scores', 'score:2', 'label', 'threshold:1:0.5', 'threshold:0:-3']) {
    assert.equal(formatAccess(parseAccess(text)), text);
  }
  for (const bad of [
    'score',
    'score:x',
    'score:-1',
    'threshold:1',
    'threshold:1:abc',
    'all',
    'label:1',
  ]) {
    assert.throws(() => parseAccess(bad), UserError, bad);
  }
});

test('score:I, label and threshold reveal only what they allow', async () => {
  const model = new MockModel();
  const full = await model.query(batch);
  const score = await new AccessOracle(model, parseAccess('score:1')).query(batch);
  assert.deepEqual(Array.from(score.data), [full.data[1], full.data[5]]);
  assert.equal(score.cols, 1);
  const label = await new AccessOracle(model, parseAccess('label')).query(batch);
  // outputs [3, -1, 3, -1] (tie: the first wins) and [-0.5, -1.5, -2, 1]
  assert.deepEqual(Array.from(label.data), [0, 3]);
  const bit = await new AccessOracle(model, parseAccess('threshold:2:0')).query(batch);
  assert.deepEqual(Array.from(bit.data), [1, 0]);
});

test('outputDim is m for scores, 1 for restricted levels, and unknown while m is', () => {
  const model = new MockModel();
  assert.equal(new AccessOracle(model, parseAccess('scores')).outputDim, 4);
  for (const level of ['score:1', 'label', 'threshold:0:0']) {
    assert.equal(new AccessOracle(model, parseAccess(level)).outputDim, 1, level);
  }
  const lazy = lazyModel(model);
  assert.equal(new AccessOracle(lazy, parseAccess('scores')).outputDim, undefined);
  assert.equal(new AccessOracle(lazy, parseAccess('label')).outputDim, 1);
});

test('an out-of-range output index is a clear error, before any query when m is known', async () => {
  const model = new MockModel();
  assert.throws(() => new AccessOracle(model, parseAccess('score:9')), /only 4 outputs/);
  assert.equal(model.rowsSeen, 0);
  // A model that learns m from its first answer (cmd:) can only be checked then.
  await assert.rejects(
    new AccessOracle(lazyModel(model), parseAccess('score:9')).query(batch),
    /only 4 outputs/,
  );
});

test('label access on a single output is refused: its label would always be 0', async () => {
  const one: Oracle = {
    inputDim: 3,
    outputDim: undefined,
    precision: 'f64',
    query: async (inputs: Matrix) => ({
      rows: inputs.rows,
      cols: 1,
      data: new Float64Array(inputs.rows).fill(2),
    }),
    dispose: async () => {},
  };
  await assert.rejects(
    new AccessOracle(one, parseAccess('label')).query(batch),
    /--access label: the model has only 1 output, so every label would be 0/,
  );
  assert.throws(
    () => new AccessOracle({ ...one, outputDim: 1 }, parseAccess('label')),
    /only 1 output/,
  );
});

test('restricted access never leaks more than its values (property)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 3, maxLength: 3 }),
        { minLength: 1, maxLength: 8 },
      ),
      fc.constantFrom('label', 'threshold:0:0', 'threshold:3:0.5', 'score:2'),
      async (rowList, access) => {
        const level = parseAccess(access);
        const out = await new AccessOracle(new MockModel(), level).query(fromRows(rowList, 3));
        assert.equal(out.cols, 1);
        for (const v of out.data) {
          if (level.kind === 'label') assert.ok(Number.isInteger(v) && v >= 0 && v < 4);
          if (level.kind === 'threshold') assert.ok(v === 0 || v === 1);
        }
      },
    ),
    { numRuns: 50 },
  );
});

/** Output 1 of the secret model: a value that no restricted level hiding output 1 may show. */
const SECRET = 8675.309;

test('nothing reachable from a restricted stack reveals the model, the counter or output 1', async () => {
  for (const access of ['score:0', 'label', 'threshold:2:0']) {
    const model = new MockModel(SECRET);
    const stack = buildOracleStack(model, parseAccess(access), 1000);
    const forbidden = new Set<unknown>([model, stack.counter, stack.budget]);
    const found = await reachableFrom(stack.oracle, batch);
    assert.ok(found.length > 20, `the walk reached too little to mean anything: ${found.length}`);
    for (const value of found) {
      assert.ok(!forbidden.has(value), `${access}: an unrestricted oracle is reachable`);
      assert.ok(!showsSecret(value), `${access}: output 1 leaked`);
    }
    assert.ok(!JSON.stringify(stack.oracle).includes(String(SECRET)));
    assert.ok(model.rowsSeen > 0, 'the walk did call query');
  }
});

test('the leak search finds the secret when it is there (so the test above can fail)', async () => {
  const model = new MockModel(SECRET);
  const stack = buildOracleStack(model, parseAccess('score:0'), 1000);
  assert.ok((await reachableFrom(stack.counter, batch)).some(showsSecret));
  assert.ok((await reachableFrom({ exposed: stack.counter }, batch)).some(showsSecret));
  const scores = buildOracleStack(model, parseAccess('scores'), null);
  assert.ok((await reachableFrom(scores.oracle, batch)).some(showsSecret));
});

test('an algorithm cannot widen its access level', async () => {
  const model = new MockModel(SECRET);
  const level: { kind: string; index: number } = { kind: 'score', index: 0 };
  const oracle = new AccessOracle(model, level as AccessLevel);
  level.kind = 'scores'; // the caller's object is copied, not kept
  assert.throws(() => {
    (oracle as unknown as { access: AccessLevel }).access = { kind: 'scores' };
  }, TypeError);
  assert.throws(() => {
    (oracle.access as { kind: string }).kind = 'scores';
  }, TypeError);
  // A property defined on the object shadows the getter for outsiders, never for the wrapper.
  Object.defineProperty(oracle, 'access', { value: { kind: 'scores' } });
  const out = await oracle.query(batch);
  assert.equal(out.cols, 1);
  assert.ok(!Array.from(out.data).includes(SECRET));
});

/** The model as a `cmd:` backend sees it: m unknown until its first answer. */
function lazyModel(model: Oracle): Oracle {
  return {
    inputDim: 3,
    outputDim: undefined,
    precision: 'f64',
    query: (x) => model.query(x),
    dispose: async () => {},
  };
}

function showsSecret(value: unknown): boolean {
  if (value === SECRET) return true;
  if (value instanceof Float64Array || Array.isArray(value)) return value.includes(SECRET);
  if (typeof value === 'string') return value.includes(String(SECRET));
  if (value instanceof Error) return value.message.includes(String(SECRET));
  return false;
}

/** Steps of the walk: object -> property or call result -> its properties -> … */
const WALK_DEPTH = 4;

/**
 * Everything code holding `start` can reach without importing anything: every own and inherited
 * property of every reachable object (getters read with that object as `this`, so private
 * fields answer), and what every reachable function returns when called on its object with no
 * argument and with `probe`, followed WALK_DEPTH steps. Arrays and typed arrays are leaves.
 */
async function reachableFrom(start: object, probe: Matrix): Promise<unknown[]> {
  const found: unknown[] = [];
  const walked = new Set<unknown>();
  let frontier: unknown[] = [start];
  for (let step = 0; step < WALK_DEPTH; step++) {
    const next: unknown[] = [];
    for (const holder of frontier) {
      if (!isContainer(holder) || walked.has(holder)) continue;
      walked.add(holder);
      for (const [key, value] of await propertiesOf(holder)) {
        next.push(value);
        if (typeof value === 'function' && key !== 'constructor') {
          const call = value as (this: object, ...args: unknown[]) => unknown;
          next.push(await settle(() => call.call(holder)));
          next.push(await settle(() => call.call(holder, probe)));
        }
      }
    }
    found.push(...next);
    frontier = next;
  }
  return found;
}

function isContainer(value: unknown): value is object {
  const isObject = (typeof value === 'object' && value !== null) || typeof value === 'function';
  return isObject && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** Own and inherited properties of `holder`, below the built-in prototypes every object has. */
async function propertiesOf(holder: object): Promise<[PropertyKey, unknown][]> {
  const out: [PropertyKey, unknown][] = [];
  const builtIn = new Set<unknown>([Object.prototype, Function.prototype, null]);
  for (
    let proto: object | null = holder;
    !builtIn.has(proto);
    proto = Object.getPrototypeOf(proto)
  ) {
    for (const key of Reflect.ownKeys(proto as object)) {
      out.push([key, await settle(() => Reflect.get(proto as object, key, holder))]);
    }
  }
  return out;
}

/** The value, awaited, or the error it threw. */
async function settle(get: () => unknown): Promise<unknown> {
  try {
    return await get();
  } catch (e) {
    return e;
  }
}
