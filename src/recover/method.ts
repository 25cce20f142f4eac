import { UserError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';
import type { AccessLevel } from '../oracle/access.js';
import type { Oracle } from '../oracle/oracle.js';
import type { Rng } from '../random/rng.js';
import type { ProgressListener, RecoveryResult } from './result.js';

/**
 * One numeric option of a recovery method. The CLI turns it into a flag
 * (`--points-per-round` for key `pointsPerRound`); the library passes it by key.
 */
export interface MethodOption<K extends string = string> {
  /** Key in the options object (camelCase). */
  readonly key: K;
  /** Placeholder shown in help, e.g. `h` for `--step <h>`. */
  readonly placeholder: string;
  readonly description: string;
  /** `integer` values must be whole; `positive` ones finite and > 0; `nonNegative` ≥ 0. */
  readonly kind: 'integer' | 'positive' | 'nonNegative';
  /** Inclusive bounds (integers). */
  readonly min?: number;
  readonly max?: number;
}

/**
 * An option whose value is a set of inputs, one per row of `n` values (e.g. seed points). The
 * CLI reads it from a file (`--seeds X.npy`); the library passes a {@link Matrix}.
 */
export interface InputsOption<K extends string = string> {
  readonly key: K;
  /** Placeholder shown in help, e.g. `X.npy` for `--seeds <X.npy>`. */
  readonly placeholder: string;
  readonly description: string;
  readonly kind: 'inputs';
}

/** Any option a method declares: a number, or a set of inputs. */
export type AnyMethodOption = MethodOption | InputsOption;

/**
 * Where a continued run starts: the span found so far, and points where the certificate saw
 * the model respond to a move orthogonal to it (a missing direction is live at one of them).
 */
export interface ContinueFrom {
  /** Orthonormal rows of the span found so far. */
  readonly basis: Matrix;
  /** Points to measure first, one per row. */
  readonly leads: Matrix;
  /** Scale of the Gaussian points the previous run drew. */
  readonly pointScale: number;
  /** The previous result's `carry` (what the method learnt of the model, e.g. its noise). */
  readonly carry?: unknown;
}

/** Option values by key, as the library passes them; validated by the method's declaration. */
export type MethodOptionValues = Readonly<Record<string, number | Matrix | undefined>>;

/**
 * A recovery method as the registry holds it: what it accepts and how to run it. Add a method
 * by writing one file that exports such an object (built with {@link defineMethod}) and one
 * line in registry.ts.
 */
export interface RecoveryMethod {
  /** Name on the command line (`--method NAME`) and in result.json. */
  readonly name: string;
  /** One line for the help text. */
  readonly summary: string;
  /** Whether the method can work from what this access level reveals. */
  accepts(access: AccessLevel): boolean;
  /**
   * Preference of `--method auto` among the methods that accept the access level: the highest
   * wins; 0 means auto never picks it.
   */
  readonly autoPriority: number;
  readonly options: readonly AnyMethodOption[];
  /**
   * Whether `run` can go on from a span and leads ({@link ContinueFrom}): then an `incomplete`
   * certificate sends the run back to where the missing directions showed.
   */
  readonly continues: boolean;
  /**
   * Validate `options` against the declaration, then recover the span; with `from` (methods
   * that continue), the returned span contains `from.basis`.
   */
  run(
    oracle: Oracle,
    rng: Rng,
    options: MethodOptionValues,
    onProgress: ProgressListener,
    from?: ContinueFrom,
  ): Promise<RecoveryResult>;
}

/**
 * What a method file declares: like {@link RecoveryMethod} but with typed option keys, the
 * numeric options (`K`) apart from those that are sets of inputs (`F`).
 */
export interface MethodDefinition<K extends string, F extends string = never> {
  readonly name: string;
  readonly summary: string;
  accepts(access: AccessLevel): boolean;
  readonly autoPriority: number;
  readonly options: readonly MethodOption<K>[];
  readonly inputOptions?: readonly InputsOption<F>[];
  /** See {@link RecoveryMethod.continues}; absent means false. */
  readonly continues?: boolean;
  run(
    oracle: Oracle,
    rng: Rng,
    options: Readonly<Partial<Record<K, number>> & Partial<Record<F, Matrix>>>,
    onProgress: ProgressListener,
    from?: ContinueFrom,
  ): Promise<RecoveryResult>;
}

/** Wrap a method definition so that its options are checked once, at the front door. */
export function defineMethod<K extends string, F extends string = never>(
  def: MethodDefinition<K, F>,
): RecoveryMethod {
  return {
    name: def.name,
    summary: def.summary,
    accepts: (access) => def.accepts(access),
    autoPriority: def.autoPriority,
    options: [...def.options, ...(def.inputOptions ?? [])],
    continues: def.continues ?? false,
    run: (oracle, rng, options, onProgress, from) =>
      def.run(oracle, rng, checkOptions(def, options, oracle.inputDim), onProgress, from),
  };
}

/** The flag of an option key: `pointsPerRound` → `--points-per-round`. */
export function optionFlag(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

function checkOptions<K extends string, F extends string>(
  def: MethodDefinition<K, F>,
  values: MethodOptionValues,
  inputDim: number,
): Partial<Record<K, number>> & Partial<Record<F, Matrix>> {
  const numbers: Partial<Record<K, number>> = {};
  const inputs: Partial<Record<F, Matrix>> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const option = def.options.find((o) => o.key === key);
    const inputsOption = def.inputOptions?.find((o) => o.key === key);
    if (option !== undefined) numbers[option.key] = checkValue(option, value);
    else if (inputsOption !== undefined) {
      inputs[inputsOption.key] = checkInputs(inputsOption, value, inputDim);
    } else throw new UserError(`${optionFlag(key)} is not an option of --method ${def.name}`);
  }
  return { ...numbers, ...inputs };
}

/** A set of inputs: at least one row of `inputDim` finite values. */
function checkInputs(option: InputsOption, value: number | Matrix, inputDim: number): Matrix {
  const flag = optionFlag(option.key);
  if (typeof value === 'number') throw new UserError(`${flag}: expected inputs, got a number`);
  if (value.rows < 1 || value.cols !== inputDim || value.data.length !== value.rows * inputDim) {
    throw new UserError(
      `${flag}: expected inputs of ${inputDim} values each, got ${value.rows} × ${value.cols}`,
    );
  }
  const bad = value.data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const row = Math.floor(bad / inputDim);
    throw new UserError(`${flag}: input ${row} has a non-finite value (${value.data[bad]})`);
  }
  return value;
}

function checkValue(option: MethodOption, value: number | Matrix): number {
  const flag = optionFlag(option.key);
  if (typeof value !== 'number') throw new UserError(`${flag}: expected a number, got inputs`);
  if (option.kind === 'positive' && !(Number.isFinite(value) && value > 0)) {
    throw new UserError(`${flag} ${value}: expected a positive number`);
  }
  if (option.kind === 'nonNegative' && !(Number.isFinite(value) && value >= 0)) {
    throw new UserError(`${flag} ${value}: expected a number ≥ 0`);
  }
  if (option.kind === 'integer') {
    const min = option.min ?? -Infinity;
    const max = option.max ?? Infinity;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      const range = max === Infinity ? `≥ ${min}` : `in [${min}, ${max}]`;
      throw new UserError(`${flag} ${value}: expected an integer ${range}`);
    }
  }
  return value;
}
