/**
 * NumPy `.npy` files: read format versions 1.0, 2.0 and 3.0, write 1.0 (2.0 only when the
 * header outgrows 1.0's 16-bit length), byte for byte what `numpy.save` writes.
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { readFile, writeFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';

/** A decoded `.npy` array: C-order float64 values whatever the file's dtype and order. */
export interface NpyArray {
  /** The array's shape; `[]` for a 0-d scalar. */
  shape: number[];
  /** `product(shape)` values in C (row-major) order. */
  data: Float64Array;
  /** The file's dtype descriptor as written, e.g. `'<f8'`, `'>f4'`, `'|u1'`. */
  dtype: string;
}

/** Element types `encodeNpy` can write: little-endian float64 or float32. */
export type NpyWriteDtype = 'f8' | 'f4';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const MAGIC_LEN = 8; // magic + major + minor version bytes
// numpy.lib.format.ARRAY_ALIGN: header padded so the data starts on a 64-byte boundary.
const ARRAY_ALIGN = 64;
// numpy.lib.format.GROWTH_AXIS_MAX_DIGITS: NumPy >= 1.24 leaves room in the header to rewrite
// the first axis in place with up to 21 digits; we must pad the same to match its bytes.
const GROWTH_AXIS_MAX_DIGITS = 21;
const V1_MAX_HEADER_LEN = 0xffff; // 1.0 stores the header length as uint16
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Encode an array as `.npy` bytes, identical to `numpy.save` of the same C-order array.
 * @param m - a `Matrix` (saved with shape `[rows, cols]`) or any shape with `product(shape)`
 *   values in C order; `shape: []` saves a 0-d scalar.
 * @param dtype - `'f8'` (exact) or `'f4'` (values rounded to float32 as NumPy's cast does).
 * @throws RangeError when the shape is not non-negative integers matching `data.length`
 *   (a bug in the caller, not bad user input).
 */
export function encodeNpy(
  m: Matrix | { shape: number[]; data: Float64Array },
  dtype: NpyWriteDtype = 'f8',
): Uint8Array {
  const shape = 'shape' in m ? m.shape : [m.rows, m.cols];
  checkShapeForWrite(shape, m.data.length);
  const header = headerText(`<${dtype}`, shape);
  // Version 1.0 whenever the padded header fits its uint16 length, as numpy.save chooses.
  const version = paddedHeaderLength(header.length, 2) <= V1_MAX_HEADER_LEN ? 1 : 2;
  const lengthBytes = version === 1 ? 2 : 4;
  const headerLen = paddedHeaderLength(header.length, lengthBytes);
  const dataStart = MAGIC_LEN + lengthBytes + headerLen;
  const itemSize = dtype === 'f8' ? 8 : 4;
  const out = new Uint8Array(dataStart + m.data.length * itemSize);

  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(MAGIC_LEN, headerLen, true);
  else view.setUint32(MAGIC_LEN, headerLen, true);
  const headerStart = MAGIC_LEN + lengthBytes;
  // The header is pure ASCII (our descr and decimal digits), so one byte per char.
  for (let k = 0; k < headerLen - 1; k++) {
    out[headerStart + k] = k < header.length ? header.charCodeAt(k) : 0x20;
  }
  out[dataStart - 1] = 0x0a;

  writeValues(m.data, dtype, out, dataStart);
  return out;
}

/**
 * Decode `.npy` bytes into C-order float64 values.
 * Accepts format versions 1.0, 2.0 and 3.0; little-, big- and native-endian float (`f2`, `f4`,
 * `f8`), signed and unsigned integer (1 to 8 bytes; 64-bit values beyond 2^53 are rounded) and
 * bool dtypes; C or Fortran order (Fortran data is transposed into C order).
 * @param what - how to name the source in error messages, usually the file path.
 * @throws UserError with a one-line message `"<what>: <problem>"` for anything that is not a
 *   well-formed numeric `.npy` file (bad magic, truncation, unparsable header, object/complex/
 *   string/structured dtypes, data length not matching the shape).
 */
export function decodeNpy(bytes: Uint8Array, what = 'file'): NpyArray {
  const fail = (problem: string): never => {
    throw new UserError(`${what}: ${problem}`);
  };
  if (bytes.length < MAGIC_LEN || MAGIC.some((b, k) => bytes[k] !== b)) {
    fail(bytes.length === 0 ? 'not a .npy file (empty file)' : 'not a .npy file (bad magic)');
  }
  const major = bytes[6];
  const minor = bytes[7];
  if (minor !== 0 || major < 1 || major > 3) {
    fail(`unsupported .npy format version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`);
  }
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < MAGIC_LEN + lengthBytes) fail('truncated .npy file (no header length)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(MAGIC_LEN, true) : view.getUint32(MAGIC_LEN, true);
  const headerStart = MAGIC_LEN + lengthBytes;
  const dataStart = headerStart + headerLen;
  if (bytes.length < dataStart) {
    fail(`truncated .npy file (header needs ${dataStart} bytes, file has ${bytes.length})`);
  }

  const headerBytes = bytes.subarray(headerStart, dataStart);
  // 1.0 and 2.0 headers are latin1, 3.0 headers UTF-8 (numpy's _header_size_info).
  let text: string;
  try {
    text =
      major === 3
        ? new TextDecoder('utf-8', { fatal: true }).decode(headerBytes)
        : latin1(headerBytes);
  } catch {
    return fail('cannot parse .npy header (not valid UTF-8)');
  }
  let header: PyValue;
  try {
    header = parsePyLiteral(text);
  } catch (e) {
    return fail(
      `cannot parse .npy header (${e instanceof HeaderSyntaxError ? e.message : String(e)})`,
    );
  }
  const { descr, fortranOrder, shape } = checkHeader(header, fail);

  const type = parseDescr(descr);
  if (type === undefined) {
    return fail(
      `unsupported dtype ${pyRepr(descr)} (only float, integer and bool arrays can be read)`,
    );
  }
  const count = shape.reduce((p, d) => p * d, 1);
  const needed = count * type.size;
  const have = bytes.length - dataStart;
  if (!Number.isSafeInteger(needed) || have !== needed) {
    fail(
      `data is ${have} bytes but shape ${shapeRepr(shape)} of ${pyRepr(descr)} ` +
        `needs ${needed} bytes${have < needed ? ' (truncated file?)' : ''}`,
    );
  }

  const values = readValues(bytes.subarray(dataStart), type, count);
  const data = fortranOrder && shape.length > 1 ? fortranToC(values, shape) : values;
  return { shape, data, dtype: descr.value };
}

/**
 * Read a `.npy` file as a matrix: 2-D arrays as they are, 1-D arrays of length n as 1×n.
 * @throws UserError naming `path` when the file is missing or unreadable, is not a valid `.npy`
 *   file (see {@link decodeNpy}), is not 1-D or 2-D, or holds no values.
 */
export async function readNpyMatrix(path: string): Promise<Matrix> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new UserError(`${path}: ${fsProblem(e, 'read')}`);
  }
  const { shape, data } = decodeNpy(bytes, path);
  if (shape.length !== 1 && shape.length !== 2) {
    throw new UserError(
      `${path}: expected a 1-D or 2-D array, got ${shape.length}-D shape ${shapeRepr(shape)}`,
    );
  }
  if (data.length === 0) throw new UserError(`${path}: array is empty (shape ${shapeRepr(shape)})`);
  return shape.length === 1
    ? { rows: 1, cols: shape[0], data }
    : { rows: shape[0], cols: shape[1], data };
}

/**
 * Write `m` as a `.npy` file that `numpy.load` reads back exactly (see {@link encodeNpy}).
 * @throws UserError naming `path` when the file cannot be written (missing directory, no
 *   permission, ...).
 */
export async function writeNpy(
  path: string,
  m: Matrix | { shape: number[]; data: Float64Array },
  dtype: NpyWriteDtype = 'f8',
): Promise<void> {
  const bytes = encodeNpy(m, dtype);
  try {
    await writeFile(path, bytes);
  } catch (e) {
    throw new UserError(`${path}: ${fsProblem(e, 'write')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Header text, as numpy.lib.format._write_array_header formats it.

/** `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }` plus growth spaces. */
function headerText(descr: string, shape: number[]): string {
  const text = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  // C order grows along axis 0, so the spare room is sized by the first dimension's digits.
  const growth = shape.length > 0 ? GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length : 0;
  return text + ' '.repeat(Math.max(0, growth));
}

/** Header length after padding with spaces and a final '\n' to the 64-byte data alignment. */
function paddedHeaderLength(textLength: number, lengthBytes: number): number {
  const withNewline = textLength + 1;
  // NumPy always pads by 1..64 bytes (a full 64 when already aligned), never by zero.
  const pad = ARRAY_ALIGN - ((MAGIC_LEN + lengthBytes + withNewline) % ARRAY_ALIGN);
  return withNewline + pad;
}

/** Python's repr of a tuple of ints: `()`, `(5,)`, `(3, 4)`. */
function shapeRepr(shape: number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function checkShapeForWrite(shape: number[], length: number): void {
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new RangeError(`encodeNpy: shape must be non-negative integers, got [${shape}]`);
  }
  const count = shape.reduce((p, d) => p * d, 1);
  if (count !== length) {
    throw new RangeError(
      `encodeNpy: shape [${shape}] needs ${count} values, but data has ${length}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Element types.

interface ElementType {
  kind: 'f' | 'i' | 'u' | 'b';
  size: number;
  littleEndian: boolean;
}

const SUPPORTED_SIZES: Record<ElementType['kind'], number[]> = {
  f: [2, 4, 8],
  i: [1, 2, 4, 8],
  u: [1, 2, 4, 8],
  b: [1],
};

/** Parse a simple descr such as `'<f8'`, `'>i2'` or `'|u1'`; undefined if unsupported. */
function parseDescr(descr: PyStr): ElementType | undefined {
  const match = /^([<>|=]?)([fiub])(\d+)$/.exec(descr.value);
  if (match === null) return undefined;
  const [, order, kind, sizeText] = match;
  const size = Number(sizeText);
  if (!SUPPORTED_SIZES[kind as ElementType['kind']].includes(size)) return undefined;
  // '|' (not applicable) is only meaningful for one-byte types; '=' means the writer's native
  // order, which numpy.load takes to be this machine's, and so do we.
  if (order === '|' && size !== 1) return undefined;
  const littleEndian = order === '<' || (order !== '>' && HOST_LITTLE_ENDIAN);
  return { kind: kind as ElementType['kind'], size, littleEndian };
}

function readValues(bytes: Uint8Array, type: ElementType, count: number): Float64Array {
  // Fast path for the common case: a fresh copy is 8-byte aligned and already in host order.
  // (Copy with set(), not slice(): a Node Buffer's slice() is a view into a shared pool.)
  if (type.kind === 'f' && type.size === 8 && type.littleEndian === HOST_LITTLE_ENDIAN) {
    const copy = new Uint8Array(count * 8);
    copy.set(bytes.subarray(0, count * 8));
    return new Float64Array(copy.buffer);
  }
  const out = new Float64Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * type.size);
  const le = type.littleEndian;
  const read = elementReader(view, type);
  for (let k = 0; k < count; k++) out[k] = read(k * type.size, le);
  return out;
}

type Reader = (offset: number, littleEndian: boolean) => number;

function elementReader(view: DataView, type: ElementType): Reader {
  const key = `${type.kind}${type.size}`;
  switch (key) {
    case 'f8':
      return (o, le) => view.getFloat64(o, le);
    case 'f4':
      return (o, le) => view.getFloat32(o, le);
    case 'f2':
      return (o, le) => halfToNumber(view.getUint16(o, le));
    case 'i1':
      return (o) => view.getInt8(o);
    case 'i2':
      return (o, le) => view.getInt16(o, le);
    case 'i4':
      return (o, le) => view.getInt32(o, le);
    case 'i8':
      return (o, le) => Number(view.getBigInt64(o, le));
    case 'u1':
    case 'b1':
      // NumPy bools are one byte, 0 or 1.
      return (o) => view.getUint8(o);
    case 'u2':
      return (o, le) => view.getUint16(o, le);
    case 'u4':
      return (o, le) => view.getUint32(o, le);
    default: // 'u8'
      return (o, le) => Number(view.getBigUint64(o, le));
  }
}

/** IEEE 754 binary16 to number (Node 20 has no Float16Array). */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal or zero
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function writeValues(data: Float64Array, dtype: NpyWriteDtype, out: Uint8Array, start: number) {
  if (HOST_LITTLE_ENDIAN) {
    // Copy raw bytes: keeps every bit, including -0 and NaN payloads.
    const typed = dtype === 'f8' ? data : Float32Array.from(data);
    out.set(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength), start);
    return;
  }
  const view = new DataView(out.buffer, start);
  for (let k = 0; k < data.length; k++) {
    if (dtype === 'f8') view.setFloat64(k * 8, data[k], true);
    else view.setFloat32(k * 4, data[k], true);
  }
}

/** Fortran-order values (first axis fastest) of `shape` rearranged into C order. */
function fortranToC(values: Float64Array, shape: number[]): Float64Array {
  const rank = shape.length;
  const out = new Float64Array(values.length);
  if (out.length === 0) return out;
  const stride = new Array<number>(rank);
  for (let a = 0, s = 1; a < rank; a++) {
    stride[a] = s;
    s *= shape[a];
  }
  // Walk C order with an odometer over the index, keeping the Fortran offset in step.
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let k = 0; k < out.length; k++) {
    out[k] = values[offset];
    for (let a = rank - 1; a >= 0; a--) {
      if (++index[a] < shape[a]) {
        offset += stride[a];
        break;
      }
      offset -= (shape[a] - 1) * stride[a];
      index[a] = 0;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The header dict: a Python literal, parsed here without eval (it is untrusted input).

type PyStr = { kind: 'str'; value: string };
type PyValue =
  | PyStr
  | { kind: 'int'; value: bigint }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'tuple' | 'list'; items: PyValue[] }
  | { kind: 'dict'; entries: [PyValue, PyValue][] };

class HeaderSyntaxError extends Error {}

const EXPECTED_KEYS = ['descr', 'fortran_order', 'shape'];

/** Validate the header dict the way numpy.lib.format._read_array_header does. */
function checkHeader(
  header: PyValue,
  fail: (problem: string) => never,
): { descr: PyStr; fortranOrder: boolean; shape: number[] } {
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
  return { descr, fortranOrder: order.value, shape };
}

/** Parse one Python literal (dict, tuple, list, str, int, bool, None) and nothing after it. */
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

/** Bytes as latin1 text (TextDecoder's 'latin1' is really windows-1252). */
function latin1(bytes: Uint8Array): string {
  let s = '';
  // Chunked: spreading a huge 2.0 header into one call would exceed the argument limit.
  for (let k = 0; k < bytes.length; k += 8192) {
    s += String.fromCharCode(...bytes.subarray(k, k + 8192));
  }
  return s;
}

function fsProblem(e: unknown, verb: 'read' | 'write'): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return verb === 'read' ? 'no such file' : 'no such directory';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (cannot ${verb})`;
  return `cannot ${verb} file (${code ?? String(e)})`;
}
