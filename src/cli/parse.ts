import { UserError } from '../errors.js';

/** Pure validators for flag values: each names the flag and the bad value in its message. */

export function parseInteger(
  flag: string,
  value: string,
  { min = -Infinity, max = Infinity }: { min?: number; max?: number } = {},
): number {
  const v = value.trim();
  if (!/^[+-]?\d+$/.test(v)) throw new UserError(`${flag} ${value}: expected an integer`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Infinity ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new UserError(`${flag} ${value}: expected an integer ${range}`);
  }
  return n;
}

export function parsePositiveNumber(flag: string, value: string): number {
  return parseNumber(flag, value, (n) => n > 0, 'a positive number');
}

export function parseNonNegativeNumber(flag: string, value: string): number {
  return parseNumber(flag, value, (n) => n >= 0, 'a number ≥ 0');
}

/** A finite number that `accept`s, or a UserError saying what was `expected`. */
function parseNumber(
  flag: string,
  value: string,
  accept: (n: number) => boolean,
  expected: string,
): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !accept(n)) {
    throw new UserError(`${flag} ${value}: expected ${expected}`);
  }
  return n;
}

export function parseIntegerList(flag: string, value: string, min = 1): number[] {
  if (value.trim() === '') return [];
  return value.split(',').map((part) => parseInteger(flag, part, { min }));
}

export function parseChoice<T extends string>(
  flag: string,
  value: string,
  choices: readonly T[],
): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UserError(`${flag} ${value}: expected one of ${choices.join(', ')}`);
}

/** Optional flag value: undefined stays undefined, otherwise validated by `parse`. */
export function optional<T>(value: string | undefined, parse: (v: string) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}
