import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_ROWS, startOipServer } from '../oip/server.js';
import { AccessOracle, formatAccess } from '../oracle/access.js';
import { openModel } from '../oracle/spec.js';
import { stoppable } from './interrupt.js';
import * as modelFlags from './modelFlags.js';
import { optional, parseInteger } from './parse.js';

/** Where `serve` listens unless told otherwise: this machine only. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8000;

export interface ServeCommand extends modelFlags.ModelFlags {
  readonly host: string;
  readonly port: number;
  readonly name: string;
  readonly maxBodyBytes: number;
  readonly maxRows: number;
}

export interface ServeFlags extends modelFlags.RawModelFlags {
  host?: string;
  port?: string;
  name?: string;
  maxBodyBytes?: string;
  maxRows?: string;
}

/** Declare `serve` and its flags on the program. */
export function serveCommand(program: Command, run: (flags: ServeFlags) => Promise<void>): void {
  modelFlags
    .addModelFlags(
      program
        .command('serve')
        .description('serve a model over the Open Inference Protocol (KServe v2 REST)'),
    )
    .option('--host <addr>', 'address to listen on', DEFAULT_HOST)
    .option('--port <n>', 'port (0: any free port)', String(DEFAULT_PORT))
    .option('--name <name>', 'model name in /v2/models/NAME', 'model')
    .option('--max-body-bytes <n>', 'largest request body', String(DEFAULT_MAX_BODY_BYTES))
    .option('--max-rows <n>', 'most rows in one infer request', String(DEFAULT_MAX_ROWS))
    .action(run);
}

export function parseServeFlags(f: ServeFlags): ServeCommand {
  const name = f.name ?? 'model';
  if (!/^[\w.-]+$/.test(name)) {
    throw new UserError(`--name ${name}: use letters, digits, '_', '.' and '-' only`);
  }
  return {
    ...modelFlags.parseModelFlags(f, 'serve'),
    host: f.host ?? DEFAULT_HOST,
    port: parseInteger('--port', f.port ?? String(DEFAULT_PORT), { min: 0, max: 65535 }),
    name,
    maxBodyBytes:
      optional(f.maxBodyBytes, (v) => parseInteger('--max-body-bytes', v, { min: 1024 })) ??
      DEFAULT_MAX_BODY_BYTES,
    maxRows:
      optional(f.maxRows, (v) => parseInteger('--max-rows', v, { min: 1 })) ?? DEFAULT_MAX_ROWS,
  };
}

/**
 * `spanrec serve`: serve the model, restricted to `--access`, until interrupted; then print
 * how many rows it evaluated and exit 0.
 */
export async function runServe(cmd: ServeCommand): Promise<number> {
  const model = await openModel(cmd.model, modelFlags.openOptions(cmd));
  try {
    const served = new AccessOracle(model, cmd.access);
    const server = await startOipServer(served, cmd.host, cmd.port, {
      modelName: cmd.name,
      maxBodyBytes: cmd.maxBodyBytes,
      maxRows: cmd.maxRows,
    });
    const host = cmd.host.includes(':') ? `[${cmd.host}]` : cmd.host;
    process.stderr.write(
      `spanrec: serving http://${host}:${server.port}/v2/models/${cmd.name} ` +
        `(n=${served.inputDim}, access ${formatAccess(cmd.access)}); Ctrl-C stops\n`,
    );
    await stoppable(
      (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())),
    );
    await server.close();
    process.stderr.write(`spanrec: served ${server.rowsServed} rows\n`);
    return 0;
  } finally {
    await model.dispose();
  }
}
