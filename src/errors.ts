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
 * Control characters a terminal acts on (C0 but the blanks, DEL, C1) and the Unicode
 * bidirectional overrides: a model's text quoted raw in our messages could erase, recolour or
 * reorder them, so they are shown as escapes instead.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `\xHH` (or `\uHHHH`) for one character: visible, and unambiguous in a bug report. */
function escapeControl(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` on one line (the CLI prints every error on one line): each line break, with the blanks around it,
 * becomes `' | '` so that quoted lines stay apart; any other run of whitespace one space; any
 * other control character an escape such as `\x1b` (see {@link CONTROL_CHARS}).
 */
export function oneLine(text: string, options: OneLineOptions = {}): string {
  const flat = text
    .trim()
    .replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' | ')
    .replace(/\s+/g, ' ')
    .replace(CONTROL_CHARS, escapeControl);
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
