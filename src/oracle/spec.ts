import { UserError } from '../errors.js';
import type { Oracle, Precision } from './oracle.js';

/** A parsed `--model SPEC` (CONTRACT.md, "Model specs"). */
export type ModelSpec =
  | { readonly kind: 'onnx'; readonly path: string }
  | { readonly kind: 'cmd'; readonly command: string }
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'builtin'; readonly name: string };

export function parseModelSpec(text: string): ModelSpec {
  if (text.startsWith('onnx:')) {
    const path = text.slice(5);
    if (path === '') throw new UserError('--model onnx:PATH needs a path');
    return { kind: 'onnx', path };
  }
  if (text.startsWith('cmd:')) {
    const command = text.slice(4).trim();
    if (command === '') throw new UserError('--model cmd:COMMAND needs a command');
    return { kind: 'cmd', command };
  }
  if (/^https?:\/\//.test(text)) return { kind: 'http', url: text };
  if (text.startsWith('builtin:')) return { kind: 'builtin', name: text.slice(8) };
  throw new UserError(
    `--model ${text}: expected onnx:PATH, cmd:COMMAND, http(s)://HOST:PORT/v2/models/NAME or builtin:NAME`,
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
}

/** Open the model behind a spec as a raw Oracle (not yet counted or restricted). */
export async function openModel(spec: ModelSpec, opts: OpenModelOptions = {}): Promise<Oracle> {
  const model = await openBackend(spec, opts);
  return opts.precision === undefined ? model : withPrecision(model, opts.precision);
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
      return CmdOracle.create(spec.command, { inputDim: opts.inputDim });
    }
    case 'http':
      throw new UserError(`--model ${spec.url}: HTTP inference servers are not supported yet`);
    case 'builtin':
      throw new UserError(`--model builtin:${spec.name}: no such bundled model yet`);
  }
}

function withPrecision(model: Oracle, precision: Precision): Oracle {
  return {
    get inputDim() {
      return model.inputDim;
    },
    get outputDim() {
      return model.outputDim;
    },
    precision,
    get setupQueries() {
      return model.setupQueries;
    },
    get rowsSent() {
      return model.rowsSent;
    },
    query: (inputs) => model.query(inputs),
    dispose: () => model.dispose(),
  };
}
