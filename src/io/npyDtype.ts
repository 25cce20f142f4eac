/**
 * `.npy` element types: which dtype descriptors we read (float, integer, bool), and the
 * conversion of their raw bytes to and from float64 values.
 */

import { halfToNumber } from './float16.js';

/** Element types `encodeNpy` can write: little-endian float64 or float32. */
export type NpyWriteDtype = 'f8' | 'f4';

/** A readable element type, as parsed from a descr such as `'<f8'`. */
export interface ElementType {
  /** NumPy's kind character: float, signed or unsigned integer, bool. */
  kind: 'f' | 'i' | 'u' | 'b';
  /** Bytes per element. */
  size: number;
  littleEndian: boolean;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const SUPPORTED_SIZES: Record<ElementType['kind'], number[]> = {
  f: [2, 4, 8],
  i: [1, 2, 4, 8],
  u: [1, 2, 4, 8],
  b: [1],
};

/** Parse a simple descr such as `'<f8'`, `'>i2'` or `'|u1'`; undefined if unsupported. */
export function parseDescr(descr: string): ElementType | undefined {
  const match = /^([<>|=]?)([fiub])(\d+)$/.exec(descr);
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

/**
 * The first `count` elements of `type` in `bytes` as float64 values (a fresh array; `bytes`
 * may be a view into a larger buffer at any offset). 64-bit integers beyond 2^53 are rounded.
 */
export function readValues(bytes: Uint8Array, type: ElementType, count: number): Float64Array {
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

/** Write `data` as little-endian `dtype` elements into `out` from byte `start` on. */
export function writeValues(
  data: Float64Array,
  dtype: NpyWriteDtype,
  out: Uint8Array,
  start: number,
): void {
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
