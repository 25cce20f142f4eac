import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { parseAccess, type AccessLevel } from '../oracle/access.js';
import type { Precision } from '../oracle/oracle.js';
import { parseModelSpec, type ModelSpec, type OpenModelOptions } from '../oracle/spec.js';
import { DEFAULT_TIMEOUT_SECONDS } from '../oracle/timeouts.js';
import { DEFAULTS } from './defaults.js';
import { optional, parseChoice, parseInteger, parsePositiveNumber } from './parse.js';

/** The flags of every command that queries a model (`recover`, `certify`), validated. */
export interface ModelFlags {
  readonly model: ModelSpec;
  readonly access: AccessLevel;
  readonly seed: number;
  readonly inputDim?: number;
  readonly inputName?: string;
  readonly outputName?: string;
  readonly precision?: Precision;
  readonly timeoutSeconds?: number;
  /** Name of the environment variable holding the HTTP `Authorization` header value. */
  readonly authEnv?: string;
}

/** Raw values as commander hands them over. */
export interface RawModelFlags {
  model?: string;
  access?: string;
  seed?: string;
  inputDim?: string;
  input?: string;
  output?: string;
  precision?: string;
  timeout?: string;
  authEnv?: string;
}

/** Model specs the CLI can open today (help text). */
export const MODEL_SPEC_HELP = 'onnx:PATH | cmd:COMMAND | http(s)://HOST:PORT/v2/models/NAME';

/** Add the model flags to a command. */
export function addModelFlags(c: Command): Command {
  return c
    .option('--model <spec>', MODEL_SPEC_HELP)
    .option('--input-dim <n>', 'input size n (required for cmd: models)')
    .option('--input <name>', 'ONNX graph input name (default: the first)')
    .option('--output <name>', 'ONNX graph output name (default: the first)')
    .option('--precision <p>', "f32 | f64: the model's arithmetic, if the backend cannot tell")
    .option(
      '--timeout <seconds>',
      `seconds to wait for each answer of a cmd: or http model (default ${DEFAULT_TIMEOUT_SECONDS})`,
    )
    .option(
      '--auth-env <var>',
      'send the value of this environment variable as Authorization (http)',
    )
    .option('--access <mode>', 'scores | score:I | label | threshold:I:T', DEFAULTS.access)
    .option('--seed <s>', 'random seed', String(DEFAULTS.seed));
}

/** Validate the model flags; `command` names the command in the missing-model message. */
export function parseModelFlags(f: RawModelFlags, command: string): ModelFlags {
  if (f.model === undefined) throw new UserError(`${command} needs --model SPEC`);
  return {
    model: parseModelSpec(f.model),
    access: parseAccess(f.access ?? DEFAULTS.access),
    seed: optional(f.seed, parseSeed) ?? DEFAULTS.seed,
    inputDim: optional(f.inputDim, (v) => parseInteger('--input-dim', v, { min: 1 })),
    inputName: f.input,
    outputName: f.output,
    precision: optional(f.precision, (v) => parseChoice('--precision', v, ['f32', 'f64'] as const)),
    timeoutSeconds: optional(f.timeout, (v) => parsePositiveNumber('--timeout', v)),
    authEnv: f.authEnv,
  };
}

export function parseSeed(v: string): number {
  return parseInteger('--seed', v, { min: 0, max: 2 ** 32 - 1 });
}

/** The options `openModel` takes, from the model flags. */
export function openOptions(f: ModelFlags): OpenModelOptions {
  return {
    inputDim: f.inputDim,
    inputName: f.inputName,
    outputName: f.outputName,
    precision: f.precision,
    timeoutSeconds: f.timeoutSeconds,
    authorization: f.authEnv === undefined ? undefined : authorizationFrom(f.authEnv),
  };
}

/** The header value in environment variable `name`; the message names the variable only. */
function authorizationFrom(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new UserError(`--auth-env ${name}: the environment variable is not set`);
  }
  if (/[\r\n]/.test(value)) throw new UserError(`--auth-env ${name}: the value has a line break`);
  return value;
}
