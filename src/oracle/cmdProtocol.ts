/**
 * The `cmd:` JSON-lines protocol as pure functions over text: encoding one request line, and
 * checking one untrusted answer line against the request it answers.
 */

import { oneLine } from '../errors.js';

/** Longest quoted text in one error message, to keep it one line and readable. */
export const QUOTE_MAX_CHARS = 300;

/** Encode rows as one request line; `String(x)` is the shortest text that parses back to `x`. */
export function encodeRequest(data: Float64Array, cols: number): string {
  const rowTexts: string[] = [];
  for (let start = 0; start < data.length; start += cols) {
    const parts: string[] = [];
    for (let j = start; j < start + cols; j++) {
      const x = data[j];
      // JSON.stringify(-0) is "0"; "-0.0" keeps the sign in JSON.parse and Python's json alike.
      parts.push(Object.is(x, -0) ? '-0.0' : String(x));
    }
    rowTexts.push(`[${parts.join(',')}]`);
  }
  return `{"inputs":[${rowTexts.join(',')}]}\n`;
}

/** A checked answer, or why it was rejected (`#` stands for the request number). */
export type ParsedAnswer =
  { ok: true; cols: number; data: Float64Array } | { ok: false; fatal: boolean; message: string };

/**
 * Check one answer line against the request it answers: `rows` rows, each of length
 * `expectedCols` (when known) and all the same length ≥ 1, every entry a finite number.
 */
export function parseAnswer(
  line: string,
  rows: number,
  expectedCols: number | undefined,
): ParsedAnswer {
  const bad = (message: string, fatal = true): ParsedAnswer => ({ ok: false, fatal, message });
  let value: unknown;
  let repaired = false;
  try {
    value = JSON.parse(line);
  } catch {
    // Python's json.dumps writes NaN/Infinity, which is not JSON: mark them to name the entry.
    const marked = line.replace(/(?<![\w."])(-?Infinity|NaN)(?![\w."])/g, '"$1"');
    try {
      value = JSON.parse(marked);
      repaired = marked !== line;
    } catch {
      return bad(`answer to request # is not JSON: ${quote(line)}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return bad(`answer to request # is not a JSON object: ${quote(line)}`);
  }
  const record = value as Record<string, unknown>;
  if ('error' in record) {
    const text = typeof record.error === 'string' ? record.error : JSON.stringify(record.error);
    return bad(
      `program reported an error for request #: ${oneLine(text ?? 'null', { maxChars: QUOTE_MAX_CHARS })}`,
      false,
    );
  }
  const outputs = record.outputs;
  if (!Array.isArray(outputs)) {
    return bad(`answer to request # has no "outputs" array: ${quote(line)}`);
  }
  if (outputs.length !== rows) {
    return bad(`answer to request # has ${outputs.length} rows, expected ${rows}`);
  }
  let cols = expectedCols;
  let data: Float64Array | null = null;
  for (let i = 0; i < rows; i++) {
    const r: unknown = outputs[i];
    if (!Array.isArray(r)) return bad(`answer to request #: row ${i} is not an array`);
    if (cols === undefined) {
      if (r.length === 0) return bad(`answer to request #: row 0 is empty, expected m >= 1 scores`);
      cols = r.length;
    }
    if (r.length !== cols) {
      const expected = expectedCols === undefined ? `${cols} like row 0` : `m = ${cols}`;
      return bad(`answer to request #: row ${i} has ${r.length} entries, expected ${expected}`);
    }
    data ??= new Float64Array(rows * cols);
    for (let j = 0; j < cols; j++) {
      const x: unknown = r[j];
      if (typeof x === 'number') {
        // JSON.parse never yields NaN, but 1e999 parses to Infinity.
        if (!Number.isFinite(x)) {
          return bad(`answer to request #: row ${i}, entry ${j} is ${x}`, false);
        }
        data[i * cols + j] = x;
        continue;
      }
      if (repaired && (x === 'NaN' || x === 'Infinity' || x === '-Infinity')) {
        return bad(`answer to request #: row ${i}, entry ${j} is ${x}`, false);
      }
      const shown = x === null ? 'null' : `not a number (${quote(JSON.stringify(x) ?? '')})`;
      return bad(`answer to request #: row ${i}, entry ${j} is ${shown}`, x !== null);
    }
  }
  return { ok: true, cols: cols ?? 0, data: data ?? new Float64Array() };
}

/** `text` in quotes on one line, shortened: how messages show what a program wrote. */
export function quote(text: string): string {
  // Cut a huge text before flattening it: only its start can be shown anyway.
  const head = text.length > 4 * QUOTE_MAX_CHARS ? text.slice(0, 4 * QUOTE_MAX_CHARS) : text;
  return `'${oneLine(head, { maxChars: QUOTE_MAX_CHARS })}'`;
}
