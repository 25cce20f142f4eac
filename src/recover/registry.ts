import { UserError } from '../errors.js';
import { formatAccess, type AccessLevel } from '../oracle/access.js';
import { adaptiveMethod } from './adaptive.js';
import { boundaryMethod } from './boundary.js';
import { gradientMethod } from './gradient.js';
import { optionFlag, type AnyMethodOption, type RecoveryMethod } from './method.js';

/** `--method auto`: the registry picks by access level. */
export const AUTO_METHOD = 'auto';

/** Every recovery method, in the order the help text lists them. */
const methods: RecoveryMethod[] = [adaptiveMethod, gradientMethod, boundaryMethod];

/** The registered methods. */
export function listMethods(): readonly RecoveryMethod[] {
  return methods;
}

/**
 * Add a method (a plug-in, or a test's toy method). Names are unique; an option key shared
 * with another method must mean the same flag, so the CLI can offer it once.
 */
export function registerMethod(method: RecoveryMethod): void {
  if (method.name === AUTO_METHOD || methods.some((m) => m.name === method.name)) {
    throw new Error(`registerMethod: the name ${method.name} is taken`);
  }
  for (const option of method.options) {
    const other = methods.flatMap((m) => m.options).find((o) => o.key === option.key);
    if (other !== undefined && (other.kind !== option.kind || minOf(other) !== minOf(option))) {
      throw new Error(`registerMethod: ${optionFlag(option.key)} is declared differently`);
    }
  }
  methods.push(method);
}

function minOf(option: AnyMethodOption): number | undefined {
  return option.kind === 'inputs' ? undefined : option.min;
}

/** Remove a method added with {@link registerMethod} (tests clean up after themselves). */
export function unregisterMethod(name: string): void {
  const i = methods.findIndex((m) => m.name === name);
  if (i >= 0) methods.splice(i, 1);
}

/** Names accepted by `--method`. */
export function methodNames(): string[] {
  return [AUTO_METHOD, ...methods.map((m) => m.name)];
}

/**
 * The method to run: the named one, checked against the access level, or for `auto` the
 * accepting method of highest priority.
 */
export function resolveMethod(name: string, access: AccessLevel): RecoveryMethod {
  const a = formatAccess(access);
  if (name === AUTO_METHOD) {
    const candidates = methods
      .filter((m) => m.autoPriority > 0 && m.accepts(access))
      .sort((x, y) => y.autoPriority - x.autoPriority);
    if (candidates.length === 0) {
      throw new UserError(`--access ${a}: no recovery method works from this access level yet`);
    }
    return candidates[0];
  }
  const method = methods.find((m) => m.name === name);
  if (method === undefined) {
    throw new UserError(`--method ${name}: expected one of ${methodNames().join(', ')}`);
  }
  if (!method.accepts(access)) {
    const alternatives = methods.filter((m) => m.accepts(access)).map((m) => m.name);
    const hint =
      alternatives.length > 0 ? `; use --method ${alternatives.join(' or ')}` : ' (none does yet)';
    throw new UserError(`--method ${name} cannot work from --access ${a}${hint}`);
  }
  return method;
}
