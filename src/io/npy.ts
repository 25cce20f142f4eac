/**
 * NumPy `.npy` files: read format versions 1.0, 2.0 and 3.0, write 1.0 (2.0 only when the
 * header outgrows 1.0's 16-bit length), byte for byte what `numpy.save` writes.
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { UserError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';
import { parseDescr, readValues, writeValues, type NpyWriteDtype } from './npyDtype.js';
import {
  formatNpyHeader,
  NpyHeaderError,
  parseNpyHeader,
  shapeRepr,
  strRepr,
  type NpyHeader,
} from './npyHeader.js';
import { readRegularFile, writeFileReplacing } from './safeFiles.js';

export type { NpyWriteDtype } from './npyDtype.js';

/** A decoded `.npy` array: C-order float64 values whatever the file's dtype and order. */
export interface NpyArray {
  /** The array's shape; `[]` for a 0-d scalar. */
  shape: number[];
  /** `product(shape)` values in C (row-major) order. */
  data: Float64Array;
  /** The file's dtype descriptor as written, e.g. `'<f8'`, `'>f4'`, `'|u1'`. */
  dtype: string;
}

/**
 * Largest `.npy` file read: 2 GiB is a 16,384 × 16,384 float64 matrix, far past any first layer
 * this tool handles, and stays under the 4 GiB a Node Buffer can hold.
 */
export const MAX_NPY_BYTES = 2 * 1024 ** 3;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const MAGIC_LEN = 8; // magic + major + minor version bytes
// numpy.lib.format.ARRAY_ALIGN: header padded so the data starts on a 64-byte boundary.
const ARRAY_ALIGN = 64;
const V1_MAX_HEADER_LEN = 0xffff; // 1.0 stores the header length as uint16

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
  const header = formatNpyHeader(`<${dtype}`, shape);
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
  let header: NpyHeader;
  try {
    header = parseNpyHeader(text);
  } catch (e) {
    if (e instanceof NpyHeaderError) return fail(e.message);
    throw e;
  }
  const { descr, fortranOrder, shape } = header;

  const type = parseDescr(descr);
  if (type === undefined) {
    return fail(
      `unsupported dtype ${strRepr(descr)} (only float, integer and bool arrays can be read)`,
    );
  }
  const count = shape.reduce((p, d) => p * d, 1);
  const needed = count * type.size;
  const have = bytes.length - dataStart;
  if (!Number.isSafeInteger(needed) || have !== needed) {
    fail(
      `data is ${have} bytes but shape ${shapeRepr(shape)} of ${strRepr(descr)} ` +
        `needs ${needed} bytes${have < needed ? ' (truncated file?)' : ''}`,
    );
  }

  const values = readValues(bytes.subarray(dataStart), type, count);
  const data = fortranOrder && shape.length > 1 ? fortranToC(values, shape) : values;
  return { shape, data, dtype: descr };
}

/**
 * Read a `.npy` file as a matrix: 2-D arrays as they are, 1-D arrays of length n as 1×n.
 * @throws UserError naming `path` when the file is missing or unreadable, is not a valid `.npy`
 *   file (see {@link decodeNpy}), is not 1-D or 2-D, or holds no values.
 */
export async function readNpyMatrix(path: string): Promise<Matrix> {
  const bytes = await readRegularFile(path, MAX_NPY_BYTES);
  const { shape, data } = decodeNpy(bytes, path);
  if (shape.length !== 1 && shape.length !== 2) {
    throw new UserError(
      `${path}: expected a 1-D or 2-D array, got ${shape.length}-D shape ${shapeRepr(shape)}`,
    );
  }
  // A 0 × n matrix is a valid (rank-0) basis; what has no columns is not a matrix of R^n.
  const cols = shape[shape.length - 1];
  if (cols === 0) throw new UserError(`${path}: array has no columns (shape ${shapeRepr(shape)})`);
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
  await writeFileReplacing(path, encodeNpy(m, dtype));
}

// ---------------------------------------------------------------------------------------------
// Helpers: header alignment, shape checks, memory order and text.

/** Header length after padding with spaces and a final '\n' to the 64-byte data alignment. */
function paddedHeaderLength(textLength: number, lengthBytes: number): number {
  const withNewline = textLength + 1;
  // NumPy always pads by 1..64 bytes (a full 64 when already aligned), never by zero.
  const pad = ARRAY_ALIGN - ((MAGIC_LEN + lengthBytes + withNewline) % ARRAY_ALIGN);
  return withNewline + pad;
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

/** Bytes as latin1 text (TextDecoder's 'latin1' is really windows-1252). */
function latin1(bytes: Uint8Array): string {
  let s = '';
  // Chunked: spreading a huge 2.0 header into one call would exceed the argument limit.
  for (let k = 0; k < bytes.length; k += 8192) {
    s += String.fromCharCode(...bytes.subarray(k, k + 8192));
  }
  return s;
}
