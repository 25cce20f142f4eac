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
export type MethodOptionValues = Readonly<Record<string, number | undefined>>;

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
  readonly options: readonly MethodOption[];
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

/** What a method file declares: like {@link RecoveryMethod} but with typed option keys. */
export interface MethodDefinition<K extends string> {
  readonly name: string;
  readonly summary: string;
  accepts(access: AccessLevel): boolean;
  readonly autoPriority: number;
  readonly options: readonly MethodOption<K>[];
  /** See {@link RecoveryMethod.continues}; absent means false. */
  readonly continues?: boolean;
  run(
    oracle: Oracle,
    rng: Rng,
    options: Readonly<Partial<Record<K, number>>>,
    onProgress: ProgressListener,
    from?: ContinueFrom,
  ): Promise<RecoveryResult>;
}

/** Wrap a method definition so that its options are checked once, at the front door. */
export function defineMethod<K extends string>(def: MethodDefinition<K>): RecoveryMethod {
  return {
    name: def.name,
    summary: def.summary,
    accepts: (access) => def.accepts(access),
    autoPriority: def.autoPriority,
    options: def.options,
    continues: def.continues ?? false,
    run: (oracle, rng, options, onProgress, from) =>
      def.run(oracle, rng, checkOptions(def, options), onProgress, from),
  };
}

/** The flag of an option key: `pointsPerRound` → `--points-per-round`. */
export function optionFlag(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

function checkOptions<K extends string>(
  def: MethodDefinition<K>,
  values: MethodOptionValues,
): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const option = def.options.find((o) => o.key === key);
    if (option === undefined) {
      throw new UserError(`${optionFlag(key)} is not an option of --method ${def.name}`);
    }
    out[option.key] = checkValue(option, value);
  }
  return out;
}

function checkValue(option: MethodOption, value: number): number {
  const flag = optionFlag(option.key);
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
