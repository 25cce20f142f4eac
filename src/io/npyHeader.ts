/**
 * The `.npy` header: a Python dict literal such as
 * `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`. Written the way
 * numpy.lib.format._write_array_header formats it; read with a small parser for Python literals
 * (never eval: the header is untrusted input) and validated the way
 * numpy.lib.format._read_array_header does.
 */

/** The three fields of a `.npy` header. */
export interface NpyHeader {
  /** The dtype descriptor as written, e.g. `'<f8'`; not yet checked to be a readable dtype. */
  descr: string;
  /** True when the data is in Fortran (column-major) order. */
  fortranOrder: boolean;
  /** The array's shape; `[]` for a 0-d scalar. */
  shape: number[];
}

/** A header text that is not a valid `.npy` header; the message is one line, without source. */
export class NpyHeaderError extends Error {}

// numpy.lib.format.GROWTH_AXIS_MAX_DIGITS: NumPy >= 1.24 leaves room in the header to rewrite
// the first axis in place with up to 21 digits; we must pad the same to match its bytes.
const GROWTH_AXIS_MAX_DIGITS = 21;

const EXPECTED_KEYS = ['descr', 'fortran_order', 'shape'];

/**
 * `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }` plus growth spaces, as
 * `numpy.save` writes it for a C-order array (before alignment padding and the final newline).
 */
export function formatNpyHeader(descr: string, shape: number[]): string {
  const text = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  // C order grows along axis 0, so the spare room is sized by the first dimension's digits.
  const growth = shape.length > 0 ? GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length : 0;
  return text + ' '.repeat(Math.max(0, growth));
}

/**
 * Parse and validate a header text (alignment spaces and the final newline included).
 * @throws NpyHeaderError when the text is not one Python dict literal with exactly the keys
 *   `'descr'` (a string), `'fortran_order'` (a bool) and `'shape'` (a tuple of non-negative
 *   integers); structured (list) descrs are refused here too.
 */
export function parseNpyHeader(text: string): NpyHeader {
  let value: PyValue;
  try {
    value = parsePyLiteral(text);
  } catch (e) {
    throw new NpyHeaderError(
      `cannot parse .npy header (${e instanceof HeaderSyntaxError ? e.message : String(e)})`,
    );
  }
  return checkHeader(value);
}

/** Python's repr of a tuple of ints: `()`, `(5,)`, `(3, 4)`. */
export function shapeRepr(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** A string as Python would quote it, made one line and short, for error messages. */
export function strRepr(value: string): string {
  return pyRepr({ kind: 'str', value });
}

// ---------------------------------------------------------------------------------------------
// The header dict as a Python value.

type PyStr = { kind: 'str'; value: string };
type PyValue =
  | PyStr
  | { kind: 'int'; value: bigint }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'tuple' | 'list'; items: PyValue[] }
  | { kind: 'dict'; entries: [PyValue, PyValue][] };

class HeaderSyntaxError extends Error {}

/** Validate the header dict the way numpy.lib.format._read_array_header does. */
function checkHeader(header: PyValue): NpyHeader {
  const fail = (problem: string): never => {
    throw new NpyHeaderError(problem);
  };
  if (header.kind !== 'dict') return fail('.npy header is not a dict');
  const fields = new Map<string, PyValue>();
  for (const [key, value] of header.entries) {
    if (key.kind !== 'str' || !EXPECTED_KEYS.includes(key.value)) {
      fail(`.npy header has unexpected key ${pyRepr(key)}`);
    } else {
      fields.set(key.value, value); // like a Python dict literal: the last duplicate wins
    }
  }
  const missing = EXPECTED_KEYS.filter((k) => !fields.has(k));
  if (missing.length > 0) fail(`.npy header lacks ${missing.map((k) => `'${k}'`).join(', ')}`);

  const descr = fields.get('descr') as PyValue;
  if (descr.kind !== 'str') {
    const structured = descr.kind === 'list';
    return fail(`unsupported dtype ${structured ? '(structured array)' : pyRepr(descr)}`);
  }
  const order = fields.get('fortran_order') as PyValue;
  if (order.kind !== 'bool') return fail(`fortran_order is not a bool: ${pyRepr(order)}`);
  const shapeValue = fields.get('shape') as PyValue;
  const shape: number[] = [];
  const shapeItems = shapeValue.kind === 'tuple' ? shapeValue.items : [];
  for (const d of shapeItems) {
    if (d.kind !== 'int' || d.value < 0n || d.value > BigInt(Number.MAX_SAFE_INTEGER)) break;
    shape.push(Number(d.value));
  }
  if (shapeValue.kind !== 'tuple' || shape.length !== shapeItems.length) {
    fail(`shape is not a tuple of non-negative integers: ${pyRepr(shapeValue)}`);
  }
  return { descr: descr.value, fortranOrder: order.value, shape };
}

/** Parse one Python literal (dict, tuple, list, str, int, bool, None) and nothing after it. */
// eslint-disable-next-line max-lines-per-function -- a recursive-descent parser, one closure per rule
function parsePyLiteral(text: string): PyValue {
  let pos = 0;
  const error = (what: string): never => {
    throw new HeaderSyntaxError(`${what} at character ${pos}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };

  const parseSequence = (close: string): { items: PyValue[]; comma: boolean } => {
    const items: PyValue[] = [];
    let comma = false;
    skipSpace();
    while (text[pos] !== close) {
      items.push(parseValue());
      skipSpace();
      if (text[pos] === ',') {
        comma = true;
        pos++;
        skipSpace();
      } else if (text[pos] !== close) {
        error(`expected ',' or '${close}'`);
      }
    }
    pos++;
    return { items, comma };
  };

  const parseString = (): PyStr => {
    const quote = text[pos++];
    let value = '';
    while (pos < text.length && text[pos] !== quote) {
      const c = text[pos++];
      if (c === '\n') error('newline in string');
      if (c !== '\\') {
        value += c;
        continue;
      }
      const e = text[pos++];
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0' };
      if (e === 'x' || e === 'u') {
        const digits = text.slice(pos, pos + (e === 'x' ? 2 : 4));
        if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== (e === 'x' ? 2 : 4)) {
          error('bad escape in string');
        }
        value += String.fromCharCode(parseInt(digits, 16));
        pos += digits.length;
      } else if (e !== undefined) {
        value += simple[e] ?? e;
      }
    }
    if (pos >= text.length) error('unterminated string');
    pos++;
    return { kind: 'str', value };
  };

  const parseValue = (): PyValue => {
    skipSpace();
    const c = text[pos];
    if (c === undefined) return error('unexpected end of header');
    if (c === "'" || c === '"') return parseString();
    if (c === '{') {
      pos++;
      const entries: [PyValue, PyValue][] = [];
      skipSpace();
      while (text[pos] !== '}') {
        const key = parseValue();
        skipSpace();
        if (text[pos] !== ':') error("expected ':'");
        pos++;
        entries.push([key, parseValue()]);
        skipSpace();
        if (text[pos] === ',') {
          pos++;
          skipSpace();
        } else if (text[pos] !== '}') {
          error("expected ',' or '}'");
        }
      }
      pos++;
      return { kind: 'dict', entries };
    }
    if (c === '(') {
      pos++;
      const { items, comma } = parseSequence(')');
      // `(5)` is just 5 in Python; only `()` or a comma makes a tuple.
      return items.length === 1 && !comma ? items[0] : { kind: 'tuple', items };
    }
    if (c === '[') {
      pos++;
      return { kind: 'list', items: parseSequence(']').items };
    }
    const word = /^(-?\d+)[lL]?(?![\w.])|^(True|False|None)\b/.exec(text.slice(pos, pos + 64));
    if (word === null) return error(`unexpected ${JSON.stringify(c)}`);
    pos += word[0].length;
    // Python 2 wrote longs as `3L`; numpy still reads them, so do we.
    if (word[1] !== undefined) return { kind: 'int', value: BigInt(word[1]) };
    if (word[2] === 'None') return { kind: 'none' };
    return { kind: 'bool', value: word[2] === 'True' };
  };

  const value = parseValue();
  skipSpace();
  if (pos < text.length) error('unexpected text after the header dict');
  return value;
}

/** A short, single-line Python-like rendering of a header value for error messages. */
function pyRepr(v: PyValue): string {
  let s: string;
  switch (v.kind) {
    case 'str':
      s = `'${v.value.replace(/[\\']/g, '\\$&')}'`;
      break;
    case 'int':
      s = String(v.value);
      break;
    case 'bool':
      s = v.value ? 'True' : 'False';
      break;
    case 'none':
      s = 'None';
      break;
    case 'tuple':
      s = v.items.length === 1 ? `(${pyRepr(v.items[0])},)` : `(${v.items.map(pyRepr).join(', ')})`;
      break;
    case 'list':
      s = `[${v.items.map(pyRepr).join(', ')}]`;
      break;
    case 'dict':
      s = `{${v.entries.map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`;
      break;
  }
  // Keep messages on one line and short, whatever the file contains.
  s = Array.from(s, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : ch;
  }).join('');
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
