import type { Command } from 'commander';
import { UserError } from '../errors.js';
import type { AccessLevel } from '../oracle/access.js';
import { optionFlag, type MethodOption } from '../recover/method.js';
import { listMethods, resolveMethod } from '../recover/registry.js';
import { parseInteger, parseNonNegativeNumber, parsePositiveNumber } from './parse.js';

/** Every method option, once, with the methods that declare it (help text). */
function allOptions(): { option: MethodOption; methods: string[] }[] {
  const seen = new Map<string, { option: MethodOption; methods: string[] }>();
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

/**
 * The method options given on the command line, validated as numbers and checked against the
 * method that will run (so a flag the method ignores is an error before any query).
 */
export function parseMethodFlags(
  raw: Readonly<Record<string, unknown>>,
  method: string,
  access: AccessLevel,
): Record<string, number> {
  const resolved = resolveMethod(method, access);
  const values: Record<string, number> = {};
  for (const { option } of allOptions()) {
    const value = raw[option.key];
    if (typeof value !== 'string') continue;
    const flag = optionFlag(option.key);
    if (!resolved.options.some((o) => o.key === option.key)) {
      throw new UserError(`${flag} is not an option of --method ${resolved.name}`);
    }
    values[option.key] =
      option.kind === 'integer'
        ? parseInteger(flag, value, { min: option.min, max: option.max })
        : option.kind === 'positive'
          ? parsePositiveNumber(flag, value)
          : parseNonNegativeNumber(flag, value);
  }
  return values;
}
