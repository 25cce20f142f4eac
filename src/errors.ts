/** Exit codes of the CLI: 0 done, 1 a bug or other failure, 2 bad usage or input, 3 budget spent. */
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

/** How {@link oneLine} shortens a long text. */
export interface OneLineOptions {
  /** Longest result in characters, an ellipsis excluded. Default: no limit. */
  maxChars?: number;
  /** Keep the end instead of the start (a traceback's news is in its last lines). */
  keepEnd?: boolean;
}

/**
 * `text` on one line (the CLI prints every error on one line): each line break, with the blanks around it,
 * becomes `' | '` so that quoted lines stay apart; any other run of whitespace one space.
 */
export function oneLine(text: string, options: OneLineOptions = {}): string {
  const flat = text
    .trim()
    .replace(/\s*[\r\n]+\s*/g, ' | ')
    .replace(/\s+/g, ' ');
  const { maxChars = Infinity, keepEnd = false } = options;
  if (flat.length <= maxChars) return flat;
  return keepEnd ? `…${flat.slice(flat.length - maxChars)}` : `${flat.slice(0, maxChars)}…`;
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
