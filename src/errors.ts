/** Exit codes of the contract (../shared/CONTRACT.md). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_BUDGET = 3;

/**
 * An error caused by what the user gave us (a flag, a file, a model that misbehaves).
 * The CLI prints its message on one line and exits with `exitCode`; anything that is not a
 * UserError is a bug and exits 1.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A message on one line (the CLI's error contract), whatever whitespace it held. */
export function oneLine(message: string): string {
  return message.replace(/\s+/g, ' ').trim();
}

/** Thrown by the budget wrapper when a batch would exceed `--budget`. */
export class BudgetExhaustedError extends UserError {
  constructor(
    readonly budget: number,
    readonly used: number,
    readonly requested: number,
  ) {
    super(
      `query budget of ${budget} spent (${used} used, ${requested} more requested)`,
      EXIT_BUDGET,
    );
    this.name = 'BudgetExhaustedError';
  }
}
