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
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UserError(`${flag} ${value}: expected a positive number`);
  }
  return n;
}

export function parseNonNegativeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new UserError(`${flag} ${value}: expected a number ≥ 0`);
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
