import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../src/errors.js';
import { fromRows, zeros, type Matrix } from '../../src/linalg/matrix.js';
import { forward, type Network } from '../../src/nets/network.js';
import { CmdOracle, type CmdOracleOptions } from '../../src/oracle/cmdOracle.js';
import { buildOracleStack } from '../../src/oracle/stack.js';
import { Rng } from '../../src/random/rng.js';
import { isAlive } from './processes.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'cmd');
const MLP_SERVER = `python3 ${join(fixtures, 'mlp_server.py')}`;
const MISBEHAVE = `python3 ${join(fixtures, 'misbehave.py')}`;
const EXIT_IMMEDIATELY = `sh ${join(fixtures, 'exit_immediately.sh')}`;
const HANG_SH = `sh ${join(fixtures, 'hang.sh')}`;
/** Short enough to keep the suite fast, long enough for a loaded machine's python start-up. */
const SHORT_TIMEOUT_SECONDS = 0.5;

const tmp = mkdtempSync(join(tmpdir(), 'spanrec-cmd-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));
let tmpCounter = 0;
const tmpPath = (name: string): string => join(tmp, `${tmpCounter++}-${name}`);

/** Save layers to an .npz as W0, b0, W1, b1, … with numpy (only the tests use python). */
function writeNpz(net: Network): string {
  const path = tmpPath('weights.npz');
  const arrays: Record<string, number[][] | number[]> = {};
  net.layers.forEach((layer, l) => {
    const w = layer.weight;
    arrays[`W${l}`] = Array.from({ length: w.rows }, (_, i) =>
      Array.from(w.data.subarray(i * w.cols, (i + 1) * w.cols)),
    );
    if (layer.bias) arrays[`b${l}`] = Array.from(layer.bias);
  });
  const script =
    'import json, sys, numpy as np\n' +
    'd = json.load(sys.stdin)\n' +
    'np.savez(sys.argv[1], **{k: np.array(v, dtype=np.float64) for k, v in d.items()})\n';
  const r = spawnSync('python3', ['-c', script, path], { input: JSON.stringify(arrays) });
  assert.equal(r.status, 0, r.stderr?.toString());
  return path;
}

/** Dyadic values k/8 with small k: every product and sum below is exact in float64. */
function dyadicMatrix(rng: Rng, rows: number, cols: number): Matrix {
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = (rng.int(17) - 8) / 8;
  return m;
}

function dyadicNet(rng: Rng, sizes: number[]): Network {
  const layers = sizes.slice(1).map((out, l) => ({
    weight: dyadicMatrix(rng, out, sizes[l]),
    bias: dyadicMatrix(rng, 1, out).data,
  }));
  return { layers, activation: 'relu' };
}

async function withOracle<T>(
  command: string,
  opts: CmdOracleOptions,
  body: (oracle: CmdOracle) => Promise<T>,
): Promise<T> {
  const oracle = await CmdOracle.create(command, opts);
  try {
    return await body(oracle);
  } finally {
    await oracle.dispose();
  }
}

/** Assert that `promise` rejects with a one-line UserError matching `pattern`; return it. */
async function rejectsWithUserError(promise: Promise<unknown>, pattern: RegExp): Promise<Error> {
  const error = await promise.then(
    () => assert.fail(`expected a UserError matching ${pattern}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof UserError, `not a UserError: ${String(error)}`);
  assert.ok(!error.message.includes('\n'), `message is not one line: ${error.message}`);
  assert.match(error.message, pattern);
  assert.match(error.message, /^cmd model: /);
  return error;
}

async function waitUntilDead(pid: number, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !isAlive(pid);
}

function readPid(path: string): number {
  const pid = Number(readFileSync(path, 'utf8').trim());
  assert.ok(Number.isInteger(pid) && pid > 0, `${path} holds no pid`);
  return pid;
}

async function waitForFile(path: string, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!existsSync(path) || readFileSync(path, 'utf8').trim() === '') {
    if (Date.now() > deadline) assert.fail(`${path} never appeared`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('answers equal the float64 MLP computed here, exactly (dyadic weights)', async () => {
  const rng = new Rng(1);
  const net = dyadicNet(rng, [5, 4, 3]);
  const weights = writeNpz(net);
  const x = dyadicMatrix(rng, 7, 5);
  await withOracle(`${MLP_SERVER} ${weights}`, { inputDim: 5 }, async (oracle) => {
    assert.equal(oracle.outputDim, undefined, 'm is unknown until the first answer');
    assert.equal(oracle.requestsSent, 0, 'create must not send a probe query');
    assert.deepEqual(
      await oracle.query(zeros(0, 5)),
      zeros(0, 0),
      'an empty batch teaches nothing',
    );
    assert.equal(oracle.outputDim, undefined);
    const y = await oracle.query(x);
    assert.equal(oracle.outputDim, 3);
    assert.deepEqual(y, forward(net, x));
  });
});

test('--reveal: the box answers only the bit or the one-hot label of its own scores', async () => {
  const rng = new Rng(11);
  const net = dyadicNet(rng, [5, 4, 3]);
  const weights = writeNpz(net);
  const x = dyadicMatrix(rng, 9, 5);
  const y = forward(net, x);
  const scoresOf = (r: number): number[] => Array.from(y.data.subarray(r * 3, r * 3 + 3));
  // Scores are multiples of 1/512 (k/8 weights, biases and inputs over two layers): none equals it.
  const threshold = 1 / 1024;
  const bits = Array.from({ length: 9 }, (_, r) => (scoresOf(r)[0] > threshold ? 1 : 0));
  assert.ok(bits.includes(0) && bits.includes(1), 'both answers occur');
  await withOracle(
    `${MLP_SERVER} ${weights} --reveal bit:${threshold}`,
    { inputDim: 5 },
    async (o) => assert.deepEqual(await o.query(x), fromRows(bits.map((b) => [b]))),
  );
  // The first largest score on a tie, as numpy's argmax.
  const oneHot = Array.from({ length: 9 }, (_, r) => {
    const s = scoresOf(r);
    const label = s.indexOf(Math.max(...s));
    return s.map((_, j) => (j === label ? 1 : 0));
  });
  await withOracle(`${MLP_SERVER} ${weights} --reveal onehot`, { inputDim: 5 }, async (o) =>
    assert.deepEqual(await o.query(x), fromRows(oneHot)),
  );
});

test('inputs round-trip exactly (identity network)', async () => {
  const n = 8;
  const eye = zeros(n, n);
  for (let i = 0; i < n; i++) eye.data[i * n + i] = 1;
  const weights = writeNpz({ layers: [{ weight: eye, bias: null }], activation: 'relu' });
  const rng = new Rng(2);
  const special = [0.1, 1 / 3, 1e-300, 5e-324, 1.7976931348623157e308, -2.5e-17, 2 ** 60 + 2 ** 8];
  const x = zeros(4, n);
  x.data.set(special);
  // Random bit patterns cover every exponent and mantissa shape the encoder might mishandle.
  const bits = new DataView(new ArrayBuffer(8));
  for (let i = special.length; i < x.data.length; i++) {
    do {
      bits.setUint32(0, rng.nextUint32());
      bits.setUint32(4, rng.nextUint32());
    } while (!Number.isFinite(bits.getFloat64(0)) || bits.getFloat64(0) === 0);
    x.data[i] = bits.getFloat64(0);
  }
  await withOracle(`${MLP_SERVER} ${weights}`, { inputDim: n }, async (oracle) => {
    const y = await oracle.query(x);
    assert.deepEqual(Array.from(y.data), Array.from(x.data));
  });
});

test('large batches are split; the count file equals the rows sent', async () => {
  const rng = new Rng(3);
  const net = dyadicNet(rng, [3, 6, 2]);
  const weights = writeNpz(net);
  const countFile = tmpPath('count.txt');
  const batchLog = tmpPath('batches.txt');
  const command = `${MLP_SERVER} ${weights} --count-file ${countFile} --batch-log ${batchLog}`;
  await withOracle(command, { inputDim: 3, maxRowsPerRequest: 4 }, async (oracle) => {
    const a = dyadicMatrix(rng, 10, 3);
    const b = dyadicMatrix(rng, 3, 3);
    assert.deepEqual(await oracle.query(a), forward(net, a));
    assert.deepEqual(await oracle.query(zeros(0, 3)), zeros(0, 2));
    // Concurrent calls are queued, and each gets its own rows back.
    const [ya, yb] = await Promise.all([oracle.query(a), oracle.query(b)]);
    assert.deepEqual(ya, forward(net, a));
    assert.deepEqual(yb, forward(net, b));
    assert.equal(oracle.rowsSent, 23);
    assert.equal(oracle.requestsSent, 7);
    assert.equal(Number(readFileSync(countFile, 'utf8')), oracle.rowsSent);
  });
  assert.deepEqual(
    readFileSync(batchLog, 'utf8').trim().split('\n').map(Number),
    [4, 4, 2, 4, 4, 2, 3],
  );
});

test('a pinned outputDim is known at once and enforced', async () => {
  const weights = writeNpz(dyadicNet(new Rng(4), [2, 3]));
  await withOracle(`${MLP_SERVER} ${weights}`, { inputDim: 2, outputDim: 2 }, async (oracle) => {
    assert.equal(oracle.outputDim, 2);
    const x = fromRows([[1, 2]]);
    await rejectsWithUserError(oracle.query(x), /row 0 has 3 entries, expected m = 2/);
  });
});

/** A misbehaviour, the answer (or death) it causes, and whether the session survives it. */
interface Misbehaviour {
  mode: string;
  pattern: RegExp;
  /** Queries that succeed before the bad one. */
  goodQueries?: number;
  fatal: boolean;
}

const misbehaviours: Misbehaviour[] = [
  {
    mode: 'junk',
    pattern: /answer to request 1 is not JSON: 'Loading model\.\.\. done'/,
    fatal: true,
  },
  { mode: 'not-object', pattern: /answer to request 1 is not a JSON object/, fatal: true },
  { mode: 'no-outputs', pattern: /answer to request 1 has no "outputs" array/, fatal: true },
  { mode: 'wrong-rows', pattern: /answer to request 1 has 2 rows, expected 3$/, fatal: true },
  {
    mode: 'ragged',
    pattern: /request 1: row 1 has 3 entries, expected 2 like row 0$/,
    fatal: true,
  },
  {
    mode: 'changing-m',
    pattern: /answer to request 2: row 0 has 3 entries, expected m = 2$/,
    goodQueries: 1,
    fatal: true,
  },
  { mode: 'empty-rows', pattern: /request 1: row 0 is empty, expected m >= 1/, fatal: true },
  {
    mode: 'string',
    pattern: /request 1: row 0, entry 0 is not a number \('"1\.5"'\)$/,
    fatal: true,
  },
  { mode: 'nan', pattern: /answer to request 1: row 0, entry 0 is NaN$/, fatal: false },
  { mode: 'inf', pattern: /answer to request 1: row 0, entry 1 is -Infinity$/, fatal: false },
  { mode: 'null', pattern: /answer to request 1: row 0, entry 0 is null$/, fatal: false },
  {
    mode: 'exit-after-1',
    pattern:
      /program exited with code 4 before answering request 2 \(stderr: giving up after one request\)$/,
    goodQueries: 1,
    fatal: true,
  },
  {
    mode: 'crash',
    pattern:
      /program exited with code 1 before answering request 1 \(stderr: .*RuntimeError: weights file is corrupt\)$/,
    fatal: true,
  },
];

for (const { mode, pattern, goodQueries = 0, fatal } of misbehaviours) {
  test(`misbehaviour '${mode}' is a one-line UserError`, async () => {
    await withOracle(`${MISBEHAVE} ${mode}`, { inputDim: 2 }, async (oracle) => {
      const x = fromRows([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      for (let q = 0; q < goodQueries; q++) {
        assert.deepEqual(Array.from((await oracle.query(x)).data), [3, 2, 7, 2, 11, 2]);
      }
      const error = await rejectsWithUserError(oracle.query(x), pattern);
      if (fatal) {
        // The session is over: later queries repeat the first failure.
        const again = await rejectsWithUserError(oracle.query(x), /./);
        assert.equal(again.message, error.message);
      }
    });
  });
}

test('an {"error"} answer fails that query only; its message is flattened to one line', async () => {
  await withOracle(`${MISBEHAVE} error`, { inputDim: 1 }, async (oracle) => {
    await rejectsWithUserError(
      oracle.query(fromRows([[1], [-1]])),
      /program reported an error for request 1: negative input \| this model only takes x >= 0$/,
    );
    const y = await oracle.query(fromRows([[1], [2]]));
    assert.deepEqual(Array.from(y.data), [1, 2, 2, 2]);
  });
});

test('a NaN answer fails that query only', async () => {
  await withOracle(`${MISBEHAVE} nan`, { inputDim: 1 }, async (oracle) => {
    const x = fromRows([[1]]);
    await rejectsWithUserError(oracle.query(x), /request 1: row 0, entry 0 is NaN$/);
    await rejectsWithUserError(oracle.query(x), /request 2: row 0, entry 0 is NaN$/);
  });
});

test('a line nobody asked for ends the session', async () => {
  await withOracle(`${MISBEHAVE} extra-line`, { inputDim: 1 }, async (oracle) => {
    await oracle.query(fromRows([[1]]));
    await new Promise((r) => setTimeout(r, 300)); // let the extra line arrive
    await rejectsWithUserError(
      oracle.query(fromRows([[1]])),
      /program wrote an extra line after request 1: '\{"outputs": \[\[1\.0, 2\.0\]\]\}'$/,
    );
  });
});

test('a program that dies before reading reports its exit code and stderr', async () => {
  await withOracle(EXIT_IMMEDIATELY, { inputDim: 2 }, async (oracle) => {
    await rejectsWithUserError(
      oracle.query(fromRows([[1, 2]])),
      /program exited with code 3 before answering request 1 \(stderr: loading weights\.npz \| error: weights\.npz: No such file or directory\)$/,
    );
  });
});

test('a command that does not exist is reported through the shell', async () => {
  await withOracle('spanrec_no_such_program_xyz --serve', { inputDim: 2 }, async (oracle) => {
    await rejectsWithUserError(
      oracle.query(fromRows([[1, 2]])),
      /program exited with code 127 before answering request 1 \(stderr: .*not found\)$/,
    );
  });
});

test('a program that closes stdout but keeps running is reported and killed', async () => {
  const pidFile = tmpPath('pid');
  const command = `echo $$ > ${pidFile}; exec >&-; sleep 30`;
  await withOracle(command, { inputDim: 1 }, async (oracle) => {
    await rejectsWithUserError(
      oracle.query(fromRows([[1]])),
      /program closed its stdout before answering request 1$/,
    );
    assert.ok(await waitUntilDead(readPid(pidFile), 2), 'the program was not killed');
  });
});

test('a hanging program times out and its whole process group is killed', async () => {
  const pidFile = tmpPath('pid');
  const opts = { inputDim: 2, timeoutSeconds: SHORT_TIMEOUT_SECONDS };
  await withOracle(`${HANG_SH} ${pidFile}`, opts, async (oracle) => {
    const start = performance.now();
    await rejectsWithUserError(
      oracle.query(fromRows([[1, 2]])),
      new RegExp(`no answer to request 1 within ${SHORT_TIMEOUT_SECONDS} s$`),
    );
    assert.ok(performance.now() - start < 3000);
    // hang.sh's sleep is a grandchild: only a process-group kill reaches it.
    await waitForFile(pidFile, 2);
    assert.ok(await waitUntilDead(readPid(pidFile), 2), 'the grandchild was not killed');
  });
});

test('dispose closes stdin, then kills a program that ignores it; safe twice', async () => {
  const pidFile = tmpPath('pid');
  const oracle = await CmdOracle.create(`${HANG_SH} ${pidFile}`, { inputDim: 1 });
  await waitForFile(pidFile, 2);
  await Promise.all([oracle.dispose(), oracle.dispose()]);
  await oracle.dispose();
  assert.ok(await waitUntilDead(readPid(pidFile), 2));
  await rejectsWithUserError(oracle.query(fromRows([[1]])), /disposed/);
});

test('a normal dispose also kills a background child the program left running', async () => {
  const pidFile = tmpPath('pid');
  // The program answers properly, and exits when stdin closes, leaving `sleep` behind.
  const command =
    `sleep 30 & echo $! > ${pidFile}; ` + `while read -r line; do echo '{"outputs": [[1]]}'; done`;
  const oracle = await CmdOracle.create(command, { inputDim: 1 });
  assert.deepEqual(Array.from((await oracle.query(fromRows([[1]]))).data), [1]);
  await waitForFile(pidFile, 2);
  await oracle.dispose();
  assert.ok(await waitUntilDead(readPid(pidFile), 2), 'the background child survived');
});

test('through the stack, bad rows and bad options are refused before anything is sent', async () => {
  const weights = writeNpz(dyadicNet(new Rng(5), [2, 2]));
  await withOracle(`${MLP_SERVER} ${weights}`, { inputDim: 2 }, async (oracle) => {
    const { oracle: stacked, counter } = buildOracleStack(oracle, { kind: 'scores' }, null);
    await assert.rejects(stacked.query(fromRows([[1, NaN]])), /row 0, column 1 is NaN/);
    await assert.rejects(stacked.query(fromRows([[1, 2, 3]])), /rows have 3 columns/);
    assert.equal(oracle.requestsSent, 0);
    assert.equal(counter.queries, 0);
  });
  await rejectsWithUserError(CmdOracle.create('  ', { inputDim: 2 }), /command is empty/);
  await rejectsWithUserError(CmdOracle.create('cat', { inputDim: 0 }), /input dimension/);
  await rejectsWithUserError(
    CmdOracle.create('cat', { inputDim: 2, maxRowsPerRequest: 1.5 }),
    /max rows per request must be a positive integer, got 1\.5/,
  );
  await rejectsWithUserError(
    CmdOracle.create('cat', { inputDim: 2, timeoutSeconds: 0 }),
    /timeout must be > 0/,
  );
});

test('an oracle left undisposed, healthy or failed, neither keeps Node alive nor leaks', async () => {
  const pidFile = tmpPath('pid');
  const idlePidFile = tmpPath('pid');
  const weights = writeNpz(dyadicNet(new Rng(6), [2, 2]));
  const moduleUrl = new URL('../../src/oracle/cmdOracle.ts', import.meta.url).href;
  const script = tmpPath('forgetful.mts'); // .mts: an ES module, so top-level await works
  writeFileSync(
    script,
    `import { existsSync, readFileSync } from 'node:fs';\n` +
      `import { CmdOracle } from ${JSON.stringify(moduleUrl)};\n` +
      `const healthy = await CmdOracle.create(${JSON.stringify(`${MLP_SERVER} ${weights}`)}, { inputDim: 2 });\n` +
      `const y = await healthy.query({ rows: 1, cols: 2, data: new Float64Array([1, 2]) });\n` +
      `const hanging = await CmdOracle.create(${JSON.stringify(`${HANG_SH} ${pidFile}`)}, { inputDim: 2, timeoutSeconds: 0.3 });\n` +
      `await hanging.query({ rows: 1, cols: 2, data: new Float64Array([1, 2]) }).catch(() => {});\n` +
      `const idle = await CmdOracle.create(${JSON.stringify(`${HANG_SH} ${idlePidFile}`)}, { inputDim: 2 });\n` +
      // Exit only once the idle program runs, so that its pid is there to check afterwards.
      `const f = ${JSON.stringify(idlePidFile)};\n` +
      `while (!existsSync(f) || !readFileSync(f, 'utf8').endsWith('\\n')) {\n` +
      `  await new Promise((r) => setTimeout(r, 20));\n` +
      `}\n` +
      `process.stdout.write(\`ok \${y.cols} \${idle.inputDim}\\n\`);\n`,
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    timeout: 10_000,
    encoding: 'utf8',
  });
  assert.equal(r.error, undefined, 'node did not exit by itself');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'ok 2 2\n');
  assert.ok(await waitUntilDead(readPid(pidFile), 2), 'the failed oracle leaked');
  assert.ok(await waitUntilDead(readPid(idlePidFile), 2), 'the idle oracle leaked');
});
