import type { ChildProcess } from 'node:child_process';
import { oneLine, UserError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';
import {
  forgetGroup,
  killGroup,
  refStream,
  spawnGroup,
  StderrTail,
  unrefStream,
} from './childProcess.js';
import { encodeRequest, parseAnswer, QUOTE_MAX_CHARS, quote } from './cmdProtocol.js';
import { LineSplitter } from './lineSplitter.js';
import type { Oracle, Precision } from './oracle.js';
import { DEFAULT_TIMEOUT_SECONDS } from './timeouts.js';

export { encodeRequest, parseAnswer, type ParsedAnswer } from './cmdProtocol.js';

/** Default largest number of rows sent in one request line (bounds the length of a line). */
export const DEFAULT_MAX_ROWS_PER_REQUEST = 256;
export { DEFAULT_TIMEOUT_SECONDS } from './timeouts.js';
/** Seconds `dispose()` waits after closing stdin before killing: a polite program exits at once. */
const DISPOSE_GRACE_SECONDS = 2;
/** Seconds to wait for a dying program's exit status and last stderr before composing a message. */
const DEATH_REPORT_SECONDS = 1;
/** Stderr lines quoted in one error message (the text itself is cut to QUOTE_MAX_CHARS). */
const STDERR_QUOTE_LINES = 3;
/** An answer line longer than this is junk, not a batch of scores (guards memory). */
const MAX_LINE_CHARS = 256 * 1024 * 1024;

/** Options of {@link CmdOracle.create}. */
export interface CmdOracleOptions {
  /** Length `n` of every input row (the protocol cannot tell us; `--input-dim`). */
  inputDim: number;
  /** Largest number of rows per request line; bigger batches are split. Default 256. */
  maxRowsPerRequest?: number;
  /** Seconds to wait for each answer line. Default 120; `Infinity` waits forever. */
  timeoutSeconds?: number;
  /** The expected output length `m`, when known: answers of another length are rejected. */
  outputDim?: number;
  /** Precision of the program's arithmetic, when known. Default `'unknown'`. */
  precision?: Precision;
}

interface PendingRequest {
  readonly requestNo: number;
  resolve(line: string): void;
  reject(error: UserError): void;
}

/**
 * A model behind a subprocess speaking the `cmd:` JSON-lines protocol: one `{"inputs": [[…], …]}`
 * line per request on its stdin, one `{"outputs": [[…], …]}` or `{"error": "…"}` line per answer
 * on its stdout, in order.
 *
 * The program is started once, through the shell, in its own process group, so that a timeout
 * or `dispose()` kills the whole pipeline it may have started. Requests are sent one at a time.
 *
 * `outputDim` is `undefined` until the program first answers, because learning it would cost a
 * query that no wrapper above would count (unless {@link CmdOracleOptions.outputDim} pins it).
 *
 * Query rows are not checked here: the stack's counter checks them for every backend.
 *
 * Every answer is untrusted. A protocol violation (junk, wrong shapes, a changed `m`, an early
 * exit, a timeout) is a one-line `UserError` and ends the session: the program is killed and
 * later queries fail with the same error, because its answers can no longer be trusted to match
 * our requests. An `{"error": …}` answer or a NaN/Infinity/null score is a one-line `UserError`
 * for that query only: the program answered in step, so the session goes on.
 */
export class CmdOracle implements Oracle {
  readonly inputDim: number;
  readonly precision: Precision;
  private m: number | undefined;
  private readonly maxRowsPerRequest: number;
  private readonly timeoutMs: number;
  private readonly stderrTail = new StderrTail();
  private readonly stdoutLines = new LineSplitter(MAX_LINE_CHARS);
  private pending: PendingRequest | null = null;
  private failure: UserError | null = null;
  /** The program exited or closed its stdout: no more answers can come. */
  private gone = false;
  private disposed: Promise<void> | null = null;
  private requests = 0;
  private rows = 0;
  /** Serializes concurrent `query` calls: the protocol has one conversation in flight. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Resolves once the program has exited and its stdout and stderr are drained. */
  private readonly closed: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    opts: Required<Omit<CmdOracleOptions, 'outputDim'>> & { outputDim?: number },
  ) {
    this.inputDim = opts.inputDim;
    this.precision = opts.precision;
    this.m = opts.outputDim;
    this.maxRowsPerRequest = opts.maxRowsPerRequest;
    this.timeoutMs = opts.timeoutSeconds * 1000;
    this.closed = new Promise((resolve) =>
      child.once('close', () => {
        forgetGroup(child); // reaped: its group id may be reused, never kill it again
        resolve();
      }),
    );
    child.on('error', () => {
      // After a successful spawn only kill() can fail, when the process is gone anyway.
    });
    child.stdin?.on('error', () => {
      // EPIPE once the program has exited; reported through its exit status instead.
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.onStdout(chunk));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => this.stderrTail.push(chunk));
    // 'end' comes after the last data; 'exit' also covers a grandchild still holding stdout.
    child.stdout?.on('end', () => this.onProgramGone());
    child.once('exit', () => this.onProgramGone());
    // Idle, the program must not keep Node alive; a pending request refs stdout (see exchange).
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) unrefStream(stream);
  }

  /**
   * Start `command` through the shell and return an oracle talking to it. Sends nothing: the
   * first `query` is the first request.
   * @throws UserError when an option is invalid or the shell cannot be started.
   */
  static async create(command: string, opts: CmdOracleOptions): Promise<CmdOracle> {
    if (command.trim() === '') throw new UserError('cmd model: the command is empty');
    const { inputDim, outputDim } = opts;
    const maxRowsPerRequest = opts.maxRowsPerRequest ?? DEFAULT_MAX_ROWS_PER_REQUEST;
    const timeoutSeconds = opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    requirePositiveInteger('input dimension', inputDim);
    requirePositiveInteger('max rows per request', maxRowsPerRequest);
    if (outputDim !== undefined) requirePositiveInteger('output dimension', outputDim);
    if (!(timeoutSeconds > 0)) {
      throw new UserError(`cmd model: timeout must be > 0 seconds, got ${timeoutSeconds}`);
    }
    const child = await spawnGroup(
      command,
      (err) => new UserError(`cmd model: cannot start '${command}': ${err.message}`),
    );
    return new CmdOracle(child, {
      inputDim,
      maxRowsPerRequest,
      timeoutSeconds,
      outputDim,
      precision: opts.precision ?? 'unknown',
    });
  }

  /** Output length `m` once the program has answered (or when pinned at creation), else `undefined`. */
  get outputDim(): number | undefined {
    return this.m;
  }

  /** Request lines written so far. */
  get requestsSent(): number {
    return this.requests;
  }

  /** Input rows written to the program so far (rows of failed requests included). */
  get rowsSent(): number {
    return this.rows;
  }

  /** The last lines the program wrote to stderr (at most 20), for diagnostics. */
  get stderrLines(): readonly string[] {
    return this.stderrTail.lines;
  }

  /**
   * Evaluate the program on every row of `inputs`, in requests of at most `maxRowsPerRequest`
   * rows. An empty batch sends nothing. Concurrent calls are queued.
   * @throws UserError when the program misbehaves (see the class comment).
   */
  async query(inputs: Matrix): Promise<Matrix> {
    const run = this.queue.then(() => this.runQuery(inputs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Close stdin, give the program a moment to exit, then kill it. Safe to call twice. */
  dispose(): Promise<void> {
    if (this.disposed === null) {
      this.failure ??= new UserError('cmd model: the oracle has been disposed');
      this.pending?.reject(this.failure);
      this.disposed = this.shutDown(DISPOSE_GRACE_SECONDS);
    }
    return this.disposed;
  }

  private async runQuery(inputs: Matrix): Promise<Matrix> {
    if (this.failure !== null) throw this.failure;
    if (inputs.rows === 0) return { rows: 0, cols: this.m ?? 0, data: new Float64Array() };
    let out: Float64Array | null = null;
    for (let start = 0; start < inputs.rows; start += this.maxRowsPerRequest) {
      const count = Math.min(this.maxRowsPerRequest, inputs.rows - start);
      const chunk = inputs.data.subarray(start * inputs.cols, (start + count) * inputs.cols);
      const requestNo = this.requests + 1;
      const line = await this.exchange(encodeRequest(chunk, inputs.cols), count);
      const parsed = parseAnswer(line, count, this.m);
      if (!parsed.ok) {
        const error = new UserError(`cmd model: ${parsed.message.replace('#', `${requestNo}`)}`);
        if (parsed.fatal) this.fail(error);
        throw error;
      }
      this.m = parsed.cols;
      out ??= new Float64Array(inputs.rows * parsed.cols);
      out.set(parsed.data, start * parsed.cols);
    }
    return { rows: inputs.rows, cols: this.m ?? 0, data: out ?? new Float64Array() };
  }

  /** Write one request line and wait for its answer line (or a failure). */
  private exchange(requestLine: string, rowCount: number): Promise<string> {
    if (this.failure !== null) return Promise.reject(this.failure);
    this.requests += 1;
    this.rows += rowCount;
    const requestNo = this.requests;
    return new Promise<string>((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      const settle = (): void => {
        if (timer !== null) clearTimeout(timer);
        this.pending = null;
        unrefStream(this.child.stdout);
      };
      this.pending = {
        requestNo,
        resolve: (line) => {
          settle();
          resolve(line);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      refStream(this.child.stdout);
      if (Number.isFinite(this.timeoutMs)) {
        timer = setTimeout(() => {
          const seconds = this.timeoutMs / 1000;
          this.fail(
            new UserError(
              `cmd model: no answer to request ${requestNo} within ${seconds} s` +
                this.stderrSuffix(),
            ),
          );
        }, this.timeoutMs);
      }
      if (this.gone) this.onProgramGone();
      else this.child.stdin?.write(requestLine);
    });
  }

  private onStdout(chunk: string): void {
    if (this.failure !== null) return;
    const lines = this.stdoutLines.push(chunk);
    if (lines === 'too-long') {
      this.fail(new UserError(`cmd model: answer line longer than ${MAX_LINE_CHARS} characters`));
      return;
    }
    for (const line of lines) {
      if (this.failure !== null) return;
      if (line.trim() === '') continue;
      if (this.pending === null) {
        const after = this.requests === 0 ? 'before any request' : `after request ${this.requests}`;
        this.fail(new UserError(`cmd model: program wrote an extra line ${after}: ${quote(line)}`));
        return;
      }
      this.pending.resolve(line);
    }
  }

  /** The program exited or closed stdout; if a request is waiting, report why it never will. */
  private onProgramGone(): void {
    this.gone = true;
    const requestNo = this.pending?.requestNo;
    if (requestNo === undefined) return;
    void (async () => {
      // The exit status and the last stderr lines arrive a moment after stdout closes.
      await this.waitForClose(DEATH_REPORT_SECONDS);
      if (this.pending?.requestNo !== requestNo) return; // answered after all, or failed already
      const { exitCode, signalCode } = this.child;
      const how =
        exitCode !== null
          ? `exited with code ${exitCode}`
          : signalCode !== null
            ? `was killed by ${signalCode}`
            : 'closed its stdout';
      this.fail(
        new UserError(
          `cmd model: program ${how} before answering request ${requestNo}` + this.stderrSuffix(),
        ),
      );
    })();
  }

  private stderrSuffix(): string {
    const last = this.stderrLines.slice(-STDERR_QUOTE_LINES);
    if (last.length === 0) return '';
    const text = oneLine(last.join('\n'), { maxChars: QUOTE_MAX_CHARS, keepEnd: true });
    return ` (stderr: ${text})`;
  }

  /** End the session with `error` (the first failure wins): reject what waits, kill now. */
  private fail(error: UserError): void {
    this.failure ??= error;
    this.pending?.reject(this.failure);
    void this.shutDown(0);
  }

  private async shutDown(graceSeconds: number): Promise<void> {
    this.child.stdin?.end();
    if (graceSeconds > 0) await this.waitForClose(graceSeconds);
    // Kill the group even after a clean exit: a background child the program left behind is
    // still in it (and keeps the group id in use, so the id cannot have been reused).
    killGroup(this.child);
    await this.waitForClose(DISPOSE_GRACE_SECONDS);
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) {
      stream?.destroy();
    }
    forgetGroup(this.child);
  }

  /** Wait until the program has closed or `seconds` passed, leaving no timer behind. */
  private waitForClose(seconds: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      void this.closed.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new UserError(`cmd model: ${name} must be a positive integer, got ${value}`);
  }
}
