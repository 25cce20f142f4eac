/**
 * An Open Inference Protocol (KServe v2) REST server around any Oracle: health, server and
 * model metadata, infer, and a row count. `spanrec serve` runs it; the tests use it as the
 * remote model. Every request is untrusted: bodies are size-limited and checked, and a bad
 * one gets a 400 with `{"error": …}`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { oneLine, UserError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';
import { Limiter } from '../oracle/limiter.js';
import type { Oracle } from '../oracle/oracle.js';
import { encodeInferResponse, parseInferRequest, type ModelMetadata } from './protocol.js';

/** Name of the served model's one input and one output tensor. */
export const INPUT_NAME = 'x';
export const OUTPUT_NAME = 'y';
/** Largest request body accepted: 64 MiB is 256 rows of 16,000 inputs as JSON. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** Most rows in one infer request. */
export const DEFAULT_MAX_ROWS = 4096;
/** Seconds a client may take to send one whole request (a stalled upload is cut off). */
const REQUEST_TIMEOUT_SECONDS = 60;

export interface OipServerOptions {
  /** The model name in `/v2/models/NAME`. */
  modelName: string;
  maxBodyBytes?: number;
  maxRows?: number;
  /** Model calls at once (a cmd: model queues them anyway). Default 4. */
  concurrency?: number;
}

/** A running server: its port, the rows it evaluated, and how to stop it. */
export interface OipServer {
  readonly server: Server;
  readonly port: number;
  /** Rows evaluated by the model so far (what a client was served). */
  readonly rowsServed: number;
  close(): Promise<void>;
}

/** Serve `model` on `host:port` (port 0: any free port). The caller disposes the model. */
export async function startOipServer(
  model: Oracle,
  host: string,
  port: number,
  options: OipServerOptions,
): Promise<OipServer> {
  const state = { rows: 0 };
  const handler = makeHandler(model, options, state);
  const server = createServer((req, res) => {
    handler(req, res).catch((e: unknown) => reply(res, 500, { error: messageOf(e) }));
  });
  server.requestTimeout = REQUEST_TIMEOUT_SECONDS * 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new UserError(`serve: cannot listen on ${host}:${port} (${e.code ?? e.message})`)),
    );
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address !== null ? address.port : port,
    get rowsServed() {
      return state.rows;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The served model's metadata as the protocol's client reads it. */
export function servedMetadata(model: Oracle): ModelMetadata {
  return {
    name: '',
    inputName: INPUT_NAME,
    datatype: model.precision === 'f32' ? 'FP32' : 'FP64',
    rowShape: [model.inputDim],
    batched: true,
    outputDim: model.outputDim,
  };
}

function makeHandler(model: Oracle, options: OipServerOptions, state: { rows: number }) {
  const name = options.modelName;
  const base = `/v2/models/${encodeURIComponent(name)}`;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const limiter = new Limiter(options.concurrency ?? 4);
  const meta = servedMetadata(model);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0].replace(/\/$/, '');
    const route = `${req.method} ${path}`;
    if (route === 'GET /v2/health/live' || route === 'GET /v2/health/ready') {
      return reply(res, 200, {});
    }
    if (route === 'GET /v2') return reply(res, 200, { name: 'spanrec', extensions: [] });
    if (route === `GET ${base}/ready`) return reply(res, 200, { name, ready: true });
    if (route === `GET ${base}`) return reply(res, 200, metadataDocument(name, model));
    if (route === `GET ${base}/stats`)
      return reply(res, 200, { name, inference_count: state.rows });
    if (path === `${base}/infer`) {
      if (req.method !== 'POST') return reply(res, 405, { error: 'infer takes POST' });
      const body = await readBody(req, maxBody);
      if (body === null) {
        res.setHeader('connection', 'close');
        return reply(res, 413, { error: `request body over ${maxBody} bytes` });
      }
      const request = parseInferRequest(body, meta, maxRows);
      if (!request.ok) return reply(res, 400, { error: request.message });
      const { rows, data } = request.value;
      const inputs: Matrix = { rows, cols: model.inputDim, data };
      let out: Matrix;
      try {
        out = await limiter.run(() => model.query(inputs));
      } catch (e) {
        return reply(res, 500, { error: `model failed: ${messageOf(e)}` });
      }
      state.rows += rows;
      return send(res, 200, encodeInferResponse(name, OUTPUT_NAME, out.rows, out.cols, out.data));
    }
    return reply(res, 404, { error: `no route ${oneLine(route, { maxChars: 200 })}` });
  };
}

function metadataDocument(name: string, model: Oracle): Record<string, unknown> {
  const meta = servedMetadata(model);
  return {
    name,
    platform: 'spanrec',
    inputs: [{ name: INPUT_NAME, datatype: meta.datatype, shape: [-1, model.inputDim] }],
    outputs: [{ name: OUTPUT_NAME, datatype: 'FP64', shape: [-1, model.outputDim ?? -1] }],
  };
}

/** The body as text, or null once it passes `maxBytes` (the rest is not read). */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        req.removeAllListeners('data');
        req.resume(); // drain without keeping it, so the 413 can still be sent
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, doc: Record<string, unknown>): void {
  send(res, status, JSON.stringify(doc));
}

function send(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function messageOf(e: unknown): string {
  return oneLine(e instanceof Error ? e.message : String(e), { maxChars: 300 });
}
