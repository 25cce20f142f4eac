/**
 * A dense row-major float64 matrix: entry (i, j) is `data[i * cols + j]`.
 * Plain data so that algorithms stay pure functions over explicit arrays.
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function zeros(rows: number, cols: number): Matrix {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

export function fromRows(rowList: ArrayLike<number>[], cols?: number): Matrix {
  const c = cols ?? (rowList.length > 0 ? rowList[0].length : 0);
  const m = zeros(rowList.length, c);
  rowList.forEach((r, i) => {
    if (r.length !== c) throw new Error(`row ${i} has length ${r.length}, expected ${c}`);
    m.data.set(r, i * c);
  });
  return m;
}

/** Row `i` as a view (no copy). */
/** The first `rows` rows of `m` (a copy). */
export function firstRows(m: Matrix, rows: number): Matrix {
  return { rows, cols: m.cols, data: m.data.slice(0, rows * m.cols) };
}

export function row(m: Matrix, i: number): Float64Array {
  return m.data.subarray(i * m.cols, (i + 1) * m.cols);
}

export function transpose(m: Matrix): Matrix {
  const t = zeros(m.cols, m.rows);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) t.data[j * m.rows + i] = m.data[i * m.cols + j];
  }
  return t;
}

/** C = A · B (ikj loop order: streams rows of B, the fastest plain-JS order). */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new Error(`matmul: ${a.rows}x${a.cols} times ${b.rows}x${b.cols}`);
  const c = zeros(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    const ci = i * b.cols;
    for (let p = 0; p < a.cols; p++) {
      const aip = a.data[i * a.cols + p];
      if (aip === 0) continue;
      const bp = p * b.cols;
      for (let j = 0; j < b.cols; j++) c.data[ci + j] += aip * b.data[bp + j];
    }
  }
  return c;
}

/** C = A · Bᵀ, the natural product for row-major bases (rows of A against rows of B). */
export function matmulTransB(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.cols)
    throw new Error(`matmulTransB: ${a.rows}x${a.cols} vs ${b.rows}x${b.cols}`);
  const c = zeros(a.rows, b.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.rows; j++) {
      c.data[i * b.rows + j] = dot(a.data, i * a.cols, b.data, j * b.cols, a.cols);
    }
  }
  return c;
}

export function dot(
  x: Float64Array,
  xOffset: number,
  y: Float64Array,
  yOffset: number,
  length: number,
): number {
  let s = 0;
  for (let t = 0; t < length; t++) s += x[xOffset + t] * y[yOffset + t];
  return s;
}

export function norm2(x: ArrayLike<number>): number {
  let s = 0;
  for (let t = 0; t < x.length; t++) s += x[t] * x[t];
  return Math.sqrt(s);
}

/** Scale `v` in place to unit length (Euclidean); returns it. */
export function unit(v: Float64Array): Float64Array {
  const norm = norm2(v);
  for (let j = 0; j < v.length; j++) v[j] /= norm;
  return v;
}

/** Stack matrices with equal column counts on top of each other. */
export function vstack(parts: Matrix[], cols: number): Matrix {
  const rows = parts.reduce((s, p) => s + p.rows, 0);
  const out = zeros(rows, cols);
  let offset = 0;
  for (const p of parts) {
    if (p.cols !== cols) throw new Error(`vstack: part has ${p.cols} columns, expected ${cols}`);
    out.data.set(p.data, offset);
    offset += p.data.length;
  }
  return out;
}
