import { oneLine, UserError } from '../errors.js';
import type { Oracle, Precision } from './oracle.js';
import { PrecisionOverride } from './precisionOverride.js';

/** A parsed `--model SPEC`. */
export type ModelSpec =
  | { readonly kind: 'onnx'; readonly path: string }
  | { readonly kind: 'cmd'; readonly command: string }
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'builtin'; readonly name: string };

/**
 * Parse `onnx:PATH`, `cmd:COMMAND`, `http(s)://…` or `builtin:NAME`.
 * @throws UserError (exit 2) naming the spec when it has none of these forms or an empty part.
 */
export function parseModelSpec(text: string): ModelSpec {
  const after = (prefix: string): string | null =>
    text.startsWith(prefix) ? text.slice(prefix.length) : null;
  const path = after('onnx:');
  if (path !== null) {
    if (path === '') throw new UserError('--model onnx:PATH needs a path');
    return { kind: 'onnx', path };
  }
  const command = after('cmd:')?.trim();
  if (command !== undefined) {
    if (command === '') throw new UserError('--model cmd:COMMAND needs a command');
    return { kind: 'cmd', command };
  }
  if (/^https?:\/\//.test(text)) return { kind: 'http', url: text };
  const name = after('builtin:');
  if (name !== null) {
    if (name === '') throw new UserError('--model builtin:NAME needs a name');
    return { kind: 'builtin', name };
  }
  throw new UserError(
    `--model ${oneLine(text)}: expected onnx:PATH, cmd:COMMAND, ` +
      'http(s)://HOST:PORT/v2/models/NAME or builtin:NAME',
  );
}

/** Options that some model kinds need. */
export interface OpenModelOptions {
  /** Required for `cmd:` (the protocol does not announce it). */
  inputDim?: number;
  /** ONNX graph input / output names. */
  inputName?: string;
  outputName?: string;
  /** Override the precision the backend reports (e.g. a float32 model behind `cmd:`). */
  precision?: Precision;
  /** Seconds to wait for each answer of a `cmd:` or HTTP model (default: DEFAULT_TIMEOUT_SECONDS). */
  timeoutSeconds?: number;
  /** `Authorization` header value for an HTTP model (from `--auth-env VAR`). */
  authorization?: string;
}

/** Open the model behind a spec as a raw Oracle (not yet counted or restricted). */
export async function openModel(spec: ModelSpec, opts: OpenModelOptions = {}): Promise<Oracle> {
  const model = await openBackend(spec, opts);
  return opts.precision === undefined ? model : new PrecisionOverride(model, opts.precision);
}

async function openBackend(spec: ModelSpec, opts: OpenModelOptions): Promise<Oracle> {
  switch (spec.kind) {
    case 'onnx': {
      const { OnnxOracle } = await import('./onnxOracle.js');
      return OnnxOracle.create(spec.path, {
        inputName: opts.inputName,
        outputName: opts.outputName,
      });
    }
    case 'cmd': {
      if (opts.inputDim === undefined) {
        throw new UserError(
          '--model cmd:… needs --input-dim N (the protocol does not announce it)',
        );
      }
      const { CmdOracle } = await import('./cmdOracle.js');
      return CmdOracle.create(spec.command, {
        inputDim: opts.inputDim,
        timeoutSeconds: opts.timeoutSeconds,
      });
    }
    case 'http': {
      const { HttpOracle } = await import('./httpOracle.js');
      return HttpOracle.create(spec.url, {
        timeoutSeconds: opts.timeoutSeconds,
        authorization: opts.authorization,
      });
    }
    case 'builtin': {
      const { builtinModelPath } = await import('./builtinModels.js');
      return openBackend({ kind: 'onnx', path: builtinModelPath(spec.name) }, opts);
    }
  }
}
