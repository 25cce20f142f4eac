import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { UserError } from '../../src/errors.js';
import { compareSubspaces } from '../../src/linalg/principalAngles.js';
import { forward } from '../../src/nets/network.js';
import { startOipServer, type OipServer } from '../../src/oip/server.js';
import { HttpOracle, type HttpOracleOptions } from '../../src/oracle/httpOracle.js';
import type { Oracle } from '../../src/oracle/oracle.js';
import { buildOracleStack } from '../../src/oracle/stack.js';
import { Rng } from '../../src/random/rng.js';
import { recoverSpan } from '../../src/recover/recoverSpan.js';
import { float32Oracle, referenceOracle } from '../helpers.js';
import { startFaultyProxy } from '../oip/faultyProxy.js';

/** Two runs on the same answers and seed make the same queries: the bases agree to rounding. */
const SAME_BASIS_RAD = 1e-12;
/** Waits between attempts are skipped in these tests; the policy has its own tests. */
const noSleep = async (): Promise<void> => {};

const servers: { close(): Promise<void> }[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function serve(model: Oracle): Promise<{ server: OipServer; url: string }> {
  const server = await startOipServer(model, '127.0.0.1', 0, { modelName: 'net' });
  servers.push(server);
  return { server, url: `http://127.0.0.1:${server.port}/v2/models/net` };
}

/** A raw server answering every request with `handler`; returns the model URL on it. */
async function rawServer(
  handler: (req: IncomingMessage, res: ServerResponse, count: number) => void,
): Promise<string> {
  let count = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res, count++));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/v2/models/m`;
}

const METADATA = JSON.stringify({
  name: 'm',
  inputs: [{ name: 'x', datatype: 'FP64', shape: [-1, 2] }],
  outputs: [{ name: 'y', datatype: 'FP64', shape: [-1, 1] }],
});

async function userError(promise: Promise<unknown>, pattern: RegExp): Promise<UserError> {
  const e = await promise.then(
    () => assert.fail('expected a UserError'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof UserError, String(e));
  assert.match(e.message, pattern);
  assert.ok(!e.message.includes('\n'));
  return e;
}

const open = (url: string, opts: HttpOracleOptions = {}) =>
  HttpOracle.create(url, { sleep: noSleep, ...opts });

describe('HttpOracle against spanrec’s own server', () => {
  it('reads n and the precision from the metadata; answers equal the model’s, row for row', async () => {
    const model = referenceOracle({ inputDim: 12, firstWidth: 5, outputs: 3 });
    const { server, url } = await serve(model);
    const oracle = await open(url, { maxRowsPerRequest: 7, maxConcurrent: 3 });
    assert.equal(oracle.inputDim, 12);
    assert.equal(oracle.outputDim, 3);
    assert.equal(oracle.precision, 'f64');
    const rng = new Rng(5);
    const inputs = {
      rows: 50,
      cols: 12,
      data: Float64Array.from({ length: 600 }, () => rng.gaussian()),
    };
    const got = await oracle.query(inputs);
    assert.deepEqual(got, forward(model.network, inputs), 'float64 JSON round-trips exactly');
    assert.equal(oracle.requestsSent, Math.ceil(50 / 7), 'infer requests of at most 7 rows');
    assert.equal(oracle.rowsSent, 50);
    assert.equal(server.rowsServed, 50);
  });

  it('an FP32 model: inputs are sent rounded to float32, and the precision is f32', async () => {
    const { url } = await serve(float32Oracle(referenceOracle({ inputDim: 4, firstWidth: 2 })));
    const oracle = await open(url);
    assert.equal(oracle.precision, 'f32');
  });

  it('recovers the same basis as in-process, and counts exactly the rows the server served', async () => {
    const model = referenceOracle({ inputDim: 20, firstWidth: 8, outputs: 2 });
    const local = await recoverSpan(model, { seed: 3 });
    const { server, url } = await serve(model);
    const remote = await recoverSpan(await open(url), { seed: 3 });
    assert.equal(remote.result.rank, 8);
    assert.ok(compareSubspaces(remote.result.basis, local.result.basis).maxAngle < SAME_BASIS_RAD);
    assert.equal(remote.queries, local.queries);
    assert.equal(remote.queries, server.rowsServed);
  });

  it('through a server failing 20 % of requests: same basis, exact count, budget kept', async () => {
    const model = referenceOracle({ inputDim: 20, firstWidth: 8, outputs: 2 });
    const healthy = await recoverSpan(model, { seed: 3 });
    const { server, url } = await serve(model);
    const proxy = await startFaultyProxy(new URL(url).origin, new Rng(9), 0.2, 20);
    servers.push(proxy);
    const oracle = await open(`${proxy.url}/v2/models/net`, { maxRowsPerRequest: 4 });
    const budget = healthy.queries + 5;
    const faulty = await recoverSpan(oracle, { seed: 3, budget });
    assert.ok(
      compareSubspaces(faulty.result.basis, healthy.result.basis).maxAngle < SAME_BASIS_RAD,
    );
    assert.equal(faulty.queries, healthy.queries);
    assert.equal(faulty.queries, server.rowsServed, 'failed requests never reached the model');
    assert.ok(faulty.queries <= budget);
    const failed = proxy.faults['503'] + proxy.faults['429'] + proxy.faults.reset;
    assert.ok(failed > 3, `faults: ${JSON.stringify(proxy.faults)}`);
    assert.equal(oracle.retries, failed, 'every failed request was retried once it failed');
  });

  it('a batch whose request fails for good counts only the answered requests', async () => {
    const model = referenceOracle({ inputDim: 3, firstWidth: 2 });
    const { server, url } = await serve(model);
    const oracle = await open(url, { maxRowsPerRequest: 2 });
    const stack = buildOracleStack(oracle, { kind: 'scores' }, null);
    const data = Float64Array.from({ length: 15 }, (_, i) => (i === 13 ? 1e308 * 10 : i));
    // Row 4 holds Infinity, so the stack refuses the batch before sending anything.
    await userError(stack.oracle.query({ rows: 5, cols: 3, data }), /row 4/);
    assert.equal(stack.counter.queries, 0);
    assert.equal(server.rowsServed, 0);
  });
});

describe('HttpOracle and hostile or failing servers', () => {
  it('retries 503 and 429 honouring Retry-After, then succeeds; the count is of answered rows', async () => {
    const waits: number[] = [];
    const url = await rawServer((req, res, count) => {
      if (req.method === 'GET') return res.end(METADATA);
      if (count === 1) {
        res.writeHead(503, { 'retry-after': '7' });
        return res.end('{"error":"warming up"}');
      }
      if (count === 2) {
        res.writeHead(429);
        return res.end();
      }
      res.end(
        JSON.stringify({ outputs: [{ name: 'y', datatype: 'FP64', shape: [1, 1], data: [4] }] }),
      );
    });
    const oracle = await open(url, { sleep: async (s) => void waits.push(s) });
    const out = await oracle.query({ rows: 1, cols: 2, data: Float64Array.of(1, 2) });
    assert.deepEqual(Array.from(out.data), [4]);
    assert.deepEqual(waits, [7, 0.5], 'Retry-After: 7, then the second backoff step');
    assert.equal(oracle.rowsSent, 1);
    assert.equal(oracle.retries, 2);
  });

  it('gives up after the attempts, quoting the last error; a 400 is not retried', async () => {
    const url = await rawServer((req, res) => {
      if (req.method === 'GET') return res.end(METADATA);
      res.writeHead(req.url?.includes('infer') ? 502 : 500);
      res.end('{"error":"upstream \\u001b[31mgone"}');
    });
    const oracle = await open(url, { attempts: 3 });
    const e = await userError(
      oracle.query({ rows: 1, cols: 2, data: Float64Array.of(1, 2) }),
      /POST .*\/infer: HTTP 502: upstream \\x1b\[31mgone \(after 3 attempts\)/,
    );
    assert.ok(!e.message.includes('\u001b'));
    const bad = await rawServer((req, res) => {
      if (req.method === 'GET') return res.end(METADATA);
      res.writeHead(400);
      res.end('{"error":"shape"}');
    });
    const once = await open(bad, { attempts: 3 });
    await userError(
      once.query({ rows: 1, cols: 2, data: Float64Array.of(1, 2) }),
      /HTTP 400: shape$/,
    );
    assert.equal(once.requestsSent, 1, 'one infer request');
  });

  it('times out a stalled server; does not follow a redirect; refuses an oversized body', async () => {
    const stalled = await rawServer(() => {});
    await userError(
      open(stalled, { timeoutSeconds: 0.2, attempts: 2 }),
      /no answer within 0.2 s \(after 2 attempts\)/,
    );
    const redirect = await rawServer((_req, res) => {
      res.writeHead(302, { location: 'http://example.invalid/v2/models/m' });
      res.end();
    });
    await userError(
      open(redirect),
      /redirected to http:\/\/example.invalid\/v2\/models\/m; not followed$/,
    );
    const declared = await rawServer((_req, res) => res.end('x'.repeat(5000)));
    await userError(open(declared, { maxResponseBytes: 4096 }), /5000 bytes, more than the 4096/);
    const streamed = await rawServer((_req, res) => {
      for (let i = 0; i < 5; i++) res.write('x'.repeat(1000)); // chunked: no length announced
      res.end();
    });
    await userError(open(streamed, { maxResponseBytes: 4096 }), /longer than the 4096 bytes/);
  });

  it('junk, wrong shapes and NaN answers are one-line errors', async () => {
    const answers = [
      'not json',
      '{"outputs":[{"name":"y","datatype":"FP64","shape":[2,1],"data":[1,2]}]}',
      '{"outputs":[{"name":"y","datatype":"BYTES","shape":[1,1],"data":["a"]}]}',
      '{"outputs":[{"name":"y","datatype":"FP64","shape":[1,1],"data":[1e999]}]}',
    ];
    const url = await rawServer((req, res, count) =>
      res.end(req.method === 'GET' ? METADATA : answers[(count - 1) % 4]),
    );
    const oracle = await open(url, { maxConcurrent: 1 });
    const query = () => oracle.query({ rows: 1, cols: 2, data: Float64Array.of(1, 2) });
    await userError(query(), /infer response is not JSON: 'not json'/);
    await userError(query(), /output shape \[2, 1\] for 1 rows/);
    await userError(query(), /output datatype BYTES is not numeric/);
    await userError(query(), /row 0, entry 0 is Infinity/);
    assert.equal(oracle.rowsSent, 0, 'no refused answer counts as answered');
  });

  it('sends the Authorization header, and never shows its value, even when a server echoes it', async () => {
    const secret = 'Bearer s3cr3t-token';
    const url = await rawServer((req, res) => {
      res.writeHead(401);
      res.end(JSON.stringify({ error: `bad token ${String(req.headers.authorization)}` }));
    });
    const e = await userError(
      open(url, { authorization: secret }),
      /HTTP 401: bad token \[redacted\]$/,
    );
    assert.ok(!e.message.includes('s3cr3t'));
  });

  it('refuses URLs that are not model URLs, and credentials in the URL', async () => {
    await userError(open('http://127.0.0.1:1/v2/models/'), /expected http\(s\):\/\/HOST:PORT/);
    await userError(open('http://u:p@127.0.0.1:1/v2/models/m'), /no credentials in the URL/);
    const closed = await rawServer(() => {});
    await servers.pop()?.close(); // nothing listens on that port any more
    await userError(open(closed, { attempts: 1 }), /connection failed \(ECONNREFUSED\)/);
  });
});
