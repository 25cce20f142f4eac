import type { Command } from 'commander';
import { UserError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';
import type { AccessLevel } from '../oracle/access.js';
import { optionFlag, type AnyMethodOption } from '../recover/method.js';
import { listMethods, resolveMethod } from '../recover/registry.js';
import { parseInteger, parseNonNegativeNumber, parsePositiveNumber } from './parse.js';
import { readInputs, type InputSet } from './readInputs.js';

/** Every method option, once, with the methods that declare it (help text). */
function allOptions(): { option: AnyMethodOption; methods: string[] }[] {
  const seen = new Map<string, { option: AnyMethodOption; methods: string[] }>();
  for (const m of listMethods()) {
    for (const o of m.options) {
      const entry = seen.get(o.key) ?? { option: o, methods: [] };
      entry.methods.push(m.name);
      seen.set(o.key, entry);
    }
  }
  return [...seen.values()];
}

/** Add a flag for every registered method's options. */
export function addMethodFlags(c: Command): Command {
  for (const { option, methods } of allOptions()) {
    c.option(
      `${optionFlag(option.key)} <${option.placeholder}>`,
      `${option.description} [${methods.join(', ')}]`,
    );
  }
  return c;
}

/** The method options of a command line: numbers, and the files of the options that are inputs. */
export interface MethodFlags {
  readonly options: Record<string, number>;
  /** Path of each inputs option's file, by key (read once the model's `n` is known). */
  readonly inputFiles: Record<string, string>;
}

/**
 * The method options given on the command line, validated as numbers and checked against the
 * method that will run (so a flag the method ignores is an error before any query).
 */
export function parseMethodFlags(
  raw: Readonly<Record<string, unknown>>,
  method: string,
  access: AccessLevel,
): MethodFlags {
  const resolved = resolveMethod(method, access);
  const options: Record<string, number> = {};
  const inputFiles: Record<string, string> = {};
  for (const { option } of allOptions()) {
    const value = raw[option.key];
    if (typeof value !== 'string') continue;
    const flag = optionFlag(option.key);
    if (!resolved.options.some((o) => o.key === option.key)) {
      throw new UserError(`${flag} is not an option of --method ${resolved.name}`);
    }
    if (option.kind === 'inputs') {
      inputFiles[option.key] = value;
      continue;
    }
    options[option.key] =
      option.kind === 'integer'
        ? parseInteger(flag, value, { min: option.min, max: option.max })
        : option.kind === 'positive'
          ? parsePositiveNumber(flag, value)
          : parseNonNegativeNumber(flag, value);
  }
  return { options, inputFiles };
}

/**
 * Read the files of the inputs options (`--seeds X.npy`): `.npy` arrays `[count, n]` or
 * `[count, …input shape]`, or folders of PNGs, as `obfuscate --inputs` reads them.
 * @throws UserError naming the file when it is unreadable, empty or non-finite.
 */
export async function readMethodInputs(
  inputFiles: Readonly<Record<string, string>>,
): Promise<Record<string, InputSet>> {
  const out: Record<string, InputSet> = {};
  for (const [key, path] of Object.entries(inputFiles)) {
    out[key] = await readInputs(path, optionFlag(key));
  }
  return out;
}

/**
 * The inputs options as the method takes them, once the model's `n` is known.
 * @throws UserError naming the flag and the file when its inputs are not `n` wide.
 */
export function methodInputsFor(
  sets: Readonly<Record<string, InputSet>>,
  inputFiles: Readonly<Record<string, string>>,
  inputDim: number,
): Record<string, Matrix> {
  const out: Record<string, Matrix> = {};
  for (const [key, set] of Object.entries(sets)) {
    if (set.inputs.cols !== inputDim) {
      throw new UserError(
        `${optionFlag(key)} ${inputFiles[key]}: inputs of ${set.inputs.cols} values each ` +
          `(shape [${set.shape.join(', ')}]), but the model takes ${inputDim}`,
      );
    }
    out[key] = set.inputs;
  }
  return out;
}
