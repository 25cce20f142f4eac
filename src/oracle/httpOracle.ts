import { oneLine, UserError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';
import {
  encodeInferRequest,
  errorText,
  parseInferResponse,
  parseMetadata,
  type ModelMetadata,
} from '../oip/protocol.js';
import { Limiter } from './limiter.js';
import type { Oracle, Precision } from './oracle.js';
import { backoffSeconds, DEFAULT_ATTEMPTS, isRetryableStatus } from './retryPolicy.js';
import { DEFAULT_TIMEOUT_SECONDS } from './timeouts.js';

/**
 * Requests in flight at once: enough to keep a small serving cluster busy (a few replicas with
 * a couple of workers each), few enough not to flood one server.
 */
export const DEFAULT_MAX_CONCURRENT = 8;
/** Rows per infer request: bounds a request body (256 × 784 inputs ≈ 4 MB of JSON). */
export const DEFAULT_ROWS_PER_REQUEST = 256;
/** Largest response body read (256 rows × 32,000 scores as JSON ≈ 160 MB fits). */
export const MAX_RESPONSE_BYTES = 512 * 1024 * 1024;

/** Options of {@link HttpOracle.create}. */
export interface HttpOracleOptions {
  /** Seconds one attempt may take, body included. Default {@link DEFAULT_TIMEOUT_SECONDS}. */
  timeoutSeconds?: number;
  /** Requests in flight at once. Default {@link DEFAULT_MAX_CONCURRENT}. */
  maxConcurrent?: number;
  /** Rows per infer request (1 for a model that takes one row). Default 256. */
  maxRowsPerRequest?: number;
  /** Attempts per request, the first included. Default {@link DEFAULT_ATTEMPTS}. */
  attempts?: number;
  /** Value of the `Authorization` header, if any; never shown in a message. */
  authorization?: string;
  /** Largest response body read. Default {@link MAX_RESPONSE_BYTES}. */
  maxResponseBytes?: number;
  /** How to wait between attempts (tests pass a fast clock). */
  sleep?: (seconds: number) => Promise<void>;
}

const defaultSleep = (seconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, seconds * 1000));

/**
 * A model behind an Open Inference Protocol (KServe v2) REST endpoint
 * `http(s)://HOST:PORT/v2/models/NAME`: `n` and the precision come from the model metadata;
 * a batch is split into requests of at most `maxRowsPerRequest` rows, sent at most
 * `maxConcurrent` at a time. Each request is retried on a dropped connection, a timeout, 408,
 * 429 or 5xx, after a backoff that honours `Retry-After`; redirects are not followed.
 *
 * Counting: a row counts once it is answered ({@link rowsSent}), so a retried request counts
 * once, and a batch that fails counts only its answered requests.
 */
export class HttpOracle implements Oracle {
  readonly inputDim: number;
  readonly precision: Precision;
  #outputDim: number | undefined;
  #rowsAnswered = 0;
  #requests = 0;
  #retries = 0;
  readonly #limiter: Limiter;
  readonly #abort = new AbortController();

  private constructor(
    private readonly base: string,
    private readonly meta: ModelMetadata,
    private readonly opts: Required<Omit<HttpOracleOptions, 'authorization'>> & {
      authorization?: string;
    },
  ) {
    this.inputDim = meta.rowShape.reduce((p, d) => p * d, 1);
    this.precision = meta.datatype === 'FP32' ? 'f32' : 'f64';
    this.#outputDim = meta.outputDim;
    this.#limiter = new Limiter(opts.maxConcurrent);
  }

  /**
   * Read the model metadata at `url` and return an oracle for the model.
   * @throws UserError when the URL is not an OIP model URL, the server cannot be reached after
   *   every attempt, or the metadata describes a model this tool cannot query.
   */
  static async create(url: string, options: HttpOracleOptions = {}): Promise<HttpOracle> {
    const base = checkModelUrl(url);
    const opts = {
      timeoutSeconds: options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      maxConcurrent: options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
      maxRowsPerRequest: options.maxRowsPerRequest ?? DEFAULT_ROWS_PER_REQUEST,
      attempts: options.attempts ?? DEFAULT_ATTEMPTS,
      authorization: options.authorization,
      maxResponseBytes: options.maxResponseBytes ?? MAX_RESPONSE_BYTES,
      sleep: options.sleep ?? defaultSleep,
    };
    for (const [name, value] of [
      ['max concurrent requests', opts.maxConcurrent],
      ['rows per request', opts.maxRowsPerRequest],
      ['attempts', opts.attempts],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) {
        throw new UserError(`http model: ${name} must be a positive integer, got ${value}`);
      }
    }
    if (!(opts.timeoutSeconds > 0)) {
      throw new UserError(`http model: timeout must be > 0 seconds, got ${opts.timeoutSeconds}`);
    }
    const probe = new HttpOracle(base, PLACEHOLDER_META, opts);
    const parsed = parseMetadata(await probe.send('GET', base, undefined));
    if (!parsed.ok) throw new UserError(`http model ${base}: ${probe.redact(parsed.message)}`);
    const meta = parsed.value;
    const rows = meta.batched ? opts.maxRowsPerRequest : 1;
    return new HttpOracle(base, meta, { ...opts, maxRowsPerRequest: rows });
  }

  get outputDim(): number | undefined {
    return this.#outputDim;
  }
  /** Rows answered so far: what the counter counts when a batch fails halfway. */
  get rowsSent(): number {
    return this.#rowsAnswered;
  }
  /** HTTP requests sent so far, retries included. */
  get requestsSent(): number {
    return this.#requests;
  }
  /** Requests sent again after a failure. */
  get retries(): number {
    return this.#retries;
  }

  /**
   * Evaluate every row, in requests of at most `maxRowsPerRequest` rows, several at a time.
   * Every request is settled before this returns or throws, so the row count stays exact.
   * @throws UserError when a request fails after every attempt or its answer is refused.
   */
  async query(inputs: Matrix): Promise<Matrix> {
    const size = this.opts.maxRowsPerRequest;
    const starts = Array.from({ length: Math.ceil(inputs.rows / size) }, (_, i) => i * size);
    const settled = await Promise.allSettled(
      starts.map((start) => {
        const rows = Math.min(size, inputs.rows - start);
        const data = inputs.data.subarray(start * inputs.cols, (start + rows) * inputs.cols);
        return this.#limiter.run(() => this.infer(data, rows));
      }),
    );
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
    const parts = settled.map((s) => (s as PromiseFulfilledResult<Float64Array>).value);
    const cols = this.#outputDim ?? 0;
    const out = new Float64Array(inputs.rows * cols);
    parts.forEach((part, i) => out.set(part, starts[i] * cols));
    return { rows: inputs.rows, cols, data: out };
  }

  /** Abort what is in flight; later queries fail. Safe to call twice. */
  async dispose(): Promise<void> {
    this.#abort.abort();
  }

  private async infer(data: Float64Array, rows: number): Promise<Float64Array> {
    const body = encodeInferRequest(this.meta, data, rows);
    const answer = parseInferResponse(await this.send('POST', `${this.base}/infer`, body), rows);
    if (!answer.ok) throw new UserError(`http model: ${this.redact(answer.message)}`);
    const { cols, data: values } = answer.value;
    if (this.#outputDim !== undefined && cols !== this.#outputDim) {
      throw new UserError(
        `http model: an answer has ${cols} outputs per row, expected ${this.#outputDim}`,
      );
    }
    this.#outputDim = cols;
    this.#rowsAnswered += rows;
    return values;
  }

  /** One request with retries; the 2xx body as text. */
  private async send(
    method: 'GET' | 'POST',
    url: string,
    body: string | undefined,
  ): Promise<string> {
    const what = `${method} ${url}`;
    for (let attempt = 1; ; attempt++) {
      if (this.#abort.signal.aborted)
        throw new UserError('http model: the oracle has been disposed');
      this.#requests += 1;
      const outcome = await this.attempt(method, url, body);
      if (outcome.kind === 'ok') return outcome.body;
      if (!outcome.retryable || attempt >= this.opts.attempts) {
        const tries = attempt > 1 ? ` (after ${attempt} attempts)` : '';
        throw new UserError(`http model: ${what}: ${this.redact(outcome.problem)}${tries}`);
      }
      this.#retries += 1;
      await this.opts.sleep(backoffSeconds(attempt, outcome.retryAfter, Date.now()));
    }
  }

  private async attempt(
    method: string,
    url: string,
    body: string | undefined,
  ): Promise<
    | { kind: 'ok'; body: string }
    | { kind: 'failed'; problem: string; retryable: boolean; retryAfter: string | null }
  > {
    const timeout = AbortSignal.timeout(this.opts.timeoutSeconds * 1000);
    const signal = AbortSignal.any([timeout, this.#abort.signal]);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.opts.authorization !== undefined) headers.authorization = this.opts.authorization;
    try {
      const response = await fetch(url, { method, body, headers, signal, redirect: 'manual' });
      const text = await readCapped(response, this.opts.maxResponseBytes);
      if (response.status >= 200 && response.status < 300) return { kind: 'ok', body: text };
      const failed = { kind: 'failed' as const, retryAfter: response.headers.get('retry-after') };
      if (response.status >= 300 && response.status < 400) {
        const to = oneLine(response.headers.get('location') ?? '?', { maxChars: 200 });
        return { ...failed, retryable: false, problem: `redirected to ${to}; not followed` };
      }
      const detail = errorText(text);
      const problem = `HTTP ${response.status}${detail === undefined ? '' : `: ${detail}`}`;
      return { ...failed, retryable: isRetryableStatus(response.status), problem };
    } catch (e) {
      if (e instanceof UserError)
        return { kind: 'failed', problem: e.message, retryable: false, retryAfter: null };
      const timedOut = timeout.aborted;
      const problem = timedOut
        ? `no answer within ${this.opts.timeoutSeconds} s`
        : `connection failed (${networkCode(e)})`;
      return { kind: 'failed', problem, retryable: !this.#abort.signal.aborted, retryAfter: null };
    }
  }

  /** `text` with the authorization value blanked out: a server may echo it back. */
  private redact(text: string): string {
    const secret = this.opts.authorization;
    return secret === undefined || secret === '' ? text : text.split(secret).join('[redacted]');
  }
}

/** Stands in before the metadata is read (only `send` is used then). */
const PLACEHOLDER_META: ModelMetadata = {
  name: '',
  inputName: '',
  datatype: 'FP64',
  rowShape: [1],
  batched: true,
  outputDim: undefined,
};

/** The model URL without a trailing slash, or a UserError saying what is wrong with it. */
export function checkModelUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UserError(`--model ${oneLine(url)}: not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UserError(`--model ${oneLine(url)}: only http:// and https:// are supported`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new UserError(
      `--model: put no credentials in the URL; give them with --auth-env VAR instead`,
    );
  }
  if (
    !/^\/v2\/models\/[^/]+(\/versions\/[^/]+)?\/?$/.test(parsed.pathname) ||
    parsed.search !== ''
  ) {
    throw new UserError(
      `--model ${oneLine(url)}: expected http(s)://HOST:PORT/v2/models/NAME[/versions/V]`,
    );
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/$/, '')}`;
}

/** The response body as text, refusing one longer than `maxBytes` without reading it all. */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new UserError(`response of ${declared} bytes, more than the ${maxBytes} allowed`);
  }
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new UserError(`response longer than the ${maxBytes} bytes allowed`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The errno-like code behind a fetch failure (`ECONNRESET`, `ECONNREFUSED`, …). */
function networkCode(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return oneLine(cause.message, { maxChars: 100 });
  return e instanceof Error ? oneLine(e.message, { maxChars: 100 }) : String(e);
}
