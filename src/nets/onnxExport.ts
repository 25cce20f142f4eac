import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { UserError } from '../errors.js';
import type { Head } from './head.js';
import type { LayerNorm } from './layerNorm.js';
import { writeFileReplacing } from '../io/safeFiles.js';
import { erf, inputDim, LEAKY_SLOPE, outputDim, type Network } from './network.js';

// onnx-proto is CommonJS whose `onnx` namespace Node's ESM loader cannot see as a named export.
const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;
const AttributeType = onnx.AttributeProto.AttributeType;

/**
 * Opset and IR version of exported models: opset 17 (ONNX 1.12) has every op used here and
 * loads in onnxruntime ≥ 1.13 and most other tools.
 */
export const EXPORT_OPSET = 17;
export const EXPORT_IR_VERSION = 8;

/** How {@link networkToOnnx} lays the network out as an ONNX graph. */
export interface OnnxExportOptions {
  /** Element type of the input, the weights, the arithmetic and the output. */
  dtype: 'f32' | 'f64';
  /** Graph input name (default `x`). */
  inputName?: string;
  /** Graph output name (default `y`). */
  outputName?: string;
  /**
   * Input shape as users' exports declare it. Default `['batch', n]`. A string entry is a
   * symbolic dimension and is only allowed first (a batch dimension; the other entries must
   * multiply to n); an all-numeric shape is a single example whose entries multiply to n, e.g.
   * `[1, 16, 6]` for n = 96. The graph starts with a `Reshape` to `[B, n]`.
   */
  inputShape?: readonly (number | string)[] | null;
  /**
   * Output shape; default `[B, m]` (B symbolic or the fixed batch). When given, the scores are
   * reshaped to it (its C-order flattening per example must be the m scores; a string entry
   * becomes -1 in the `Reshape`).
   */
  outputShape?: readonly (number | string)[] | null;
}

type Dim = number | string;

/**
 * Serialize a {@link Network} as an ONNX model (opset 17, IR 8) that onnxruntime evaluates like
 * `forward(net, ·)`. Each layer is a `Gemm` with `transB = 1` (the weight stored `out × in`, as
 * PyTorch exports `nn.Linear`) and the bias as `C`; the activation follows every layer but
 * the last:
 * - relu → `Relu`; tanh → `Tanh`; sigmoid → `Sigmoid`;
 * - leaky → `LeakyRelu(alpha = 0.01)` in f32; in f64 `Max(x, 0.01·x)` instead, because the
 *   attribute `alpha` is a float32 (0.00999999977…), which would put a 2e-8 relative error on
 *   every negative pre-activation of an otherwise float64 network;
 * - gelu → exact GELU `0.5·x·(1 + erf(x/√2))` from basic ops; onnxruntime's CPU `Erf` is float32
 *   only, so the f64 export evaluates erf as a piecewise Taylor polynomial from basic ops
 *   (agrees with libm's erf to a few ulps; see `erfF64`).
 *
 * A first-layer LayerNorm sits between the first `Gemm` and its activation (see `layerNorm`);
 * the head follows the last `Gemm`: sigmoid → `Sigmoid`, softmax → `Softmax(axis = −1)`.
 */
export function networkToOnnx(net: Network, opts: OnnxExportOptions): Uint8Array {
  const n = inputDim(net);
  const m = outputDim(net);
  const elemType = opts.dtype === 'f64' ? DataType.DOUBLE : DataType.FLOAT;
  const inputName = opts.inputName ?? 'x';
  const outputName = opts.outputName ?? 'y';
  const inputShape: readonly Dim[] = opts.inputShape ?? ['batch', n];
  const batchDim = checkInputShape(inputShape, n);
  const g = new GraphBuilder(opts.dtype);

  let cur = inputName;
  const isDefaultShape =
    inputShape.length === 2 && inputShape[0] === batchDim && inputShape[1] === n;
  if (!isDefaultShape) cur = g.node('Reshape', [cur, g.int64s([-1, n])]);
  net.layers.forEach((layer, li) => {
    const { weight, bias } = layer;
    const inputs = [cur, g.tensor([weight.rows, weight.cols], weight.data)];
    if (bias) inputs.push(g.tensor([bias.length], bias));
    cur = g.node('Gemm', inputs, [intAttr('transB', 1)]);
    if (li === 0 && net.layerNorm) cur = layerNorm(g, net.layerNorm, cur);
    if (li < net.layers.length - 1) cur = activation(g, net.activation, cur);
  });
  cur = head(g, net.head ?? 'linear', cur);
  const outputShape: readonly Dim[] = opts.outputShape ?? [batchDim, m];
  if (opts.outputShape) {
    checkOutputShape(opts.outputShape, m, typeof batchDim === 'string');
    cur = g.node('Reshape', [
      cur,
      g.int64s(opts.outputShape.map((d) => (typeof d === 'string' ? -1 : d))),
    ]);
  }
  g.nameLastOutput(outputName);

  const model = onnx.ModelProto.create({
    irVersion: EXPORT_IR_VERSION,
    opsetImport: [{ domain: '', version: EXPORT_OPSET }],
    producerName: 'spanrec',
    graph: {
      name: 'spanrec_network',
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(inputName, elemType, inputShape)],
      output: [valueInfo(outputName, elemType, outputShape)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** {@link networkToOnnx}, written to `path`. */
export async function writeNetworkOnnx(
  path: string,
  net: Network,
  opts: OnnxExportOptions,
): Promise<void> {
  await writeFileReplacing(path, networkToOnnx(net, opts));
}

/** Validates a user-style input shape; returns the batch dimension (symbolic name or 1). */
function checkInputShape(shape: readonly Dim[], n: number): Dim {
  const symbolic = typeof shape[0] === 'string';
  const rest = symbolic ? shape.slice(1) : shape;
  const bad = rest.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 1);
  const size = rest.reduce<number>((p, d) => p * Number(d), 1);
  if (shape.length === 0 || bad || size !== n) {
    throw new UserError(
      `input shape [${shape.join(', ')}] does not hold ${n} inputs (only the first dimension ` +
        `may be symbolic; the fixed dimensions must multiply to ${n})`,
    );
  }
  return symbolic ? shape[0] : 1;
}

/** The scores of one example must fill the fixed entries; a symbolic batch needs one string. */
function checkOutputShape(shape: readonly Dim[], m: number, symbolicBatch: boolean): void {
  const strings = shape.filter((d) => typeof d === 'string').length;
  const fixed = shape.filter((d): d is number => typeof d === 'number');
  const size = fixed.reduce((p, d) => p * d, 1);
  const bad = fixed.some((d) => !Number.isInteger(d) || d < 1);
  if (bad || size !== m || strings > 1 || (symbolicBatch && strings === 0)) {
    throw new UserError(
      `output shape [${shape.join(', ')}] does not hold ${m} scores per example (fixed ` +
        `dimensions must multiply to ${m}; one symbolic dimension, required for a symbolic batch)`,
    );
  }
}

function activation(g: GraphBuilder, act: Network['activation'], x: string): string {
  switch (act) {
    case 'relu':
      return g.node('Relu', [x]);
    case 'tanh':
      return g.node('Tanh', [x]);
    case 'sigmoid':
      return g.node('Sigmoid', [x]);
    case 'leaky':
      if (g.dtype === 'f32') return g.node('LeakyRelu', [x], [floatAttr('alpha', LEAKY_SLOPE)]);
      // max(x, a·x) = leaky(x) for 0 < a < 1, in exact float64 arithmetic
      return g.node('Max', [x, g.node('Mul', [x, g.scalar(LEAKY_SLOPE)])]);
    case 'gelu': {
      const u = g.node('Div', [x, g.scalar(Math.SQRT2)]);
      const e = g.dtype === 'f32' ? g.node('Erf', [u]) : erfF64(g, u);
      const onePlus = g.node('Add', [e, g.scalar(1)]);
      return g.node('Mul', [g.node('Mul', [x, onePlus]), g.scalar(0.5)]);
    }
  }
}

/**
 * LayerNorm over the last axis (the units). In f32, ONNX's `LayerNormalization` (opset 17),
 * as PyTorch exports `nn.LayerNorm`. In f64 the same from basic ops, mean and variance in two
 * passes like `layerNormInPlace`: onnxruntime's double kernel takes its `epsilon` attribute as
 * a float32 (1e-5 becomes 9.99999975e-6) and the variance as E[u²] − E[u]² (cancellation when
 * |mean| ≫ std); measured 4e-13 off `forward` on a random net, the two-pass graph 9e-16.
 */
function layerNorm(g: GraphBuilder, ln: LayerNorm, u: string): string {
  const k = ln.gamma.length;
  const gamma = g.tensor([k], ln.gamma);
  const beta = g.tensor([k], ln.beta);
  if (g.dtype === 'f32') {
    return g.node(
      'LayerNormalization',
      [u, gamma, beta],
      [intAttr('axis', -1), floatAttr('epsilon', ln.epsilon)],
    );
  }
  const mean = (v: string): string => g.node('ReduceMean', [v], [intsAttr('axes', [-1])]);
  const centred = g.node('Sub', [u, mean(u)]);
  const variance = mean(g.node('Mul', [centred, centred]));
  const std = g.node('Sqrt', [g.node('Add', [variance, g.scalar(ln.epsilon)])]);
  const normalized = g.node('Div', [centred, std]);
  return g.node('Add', [g.node('Mul', [normalized, gamma]), beta]);
}

function head(g: GraphBuilder, kind: Head, logits: string): string {
  switch (kind) {
    case 'linear':
      return logits;
    case 'sigmoid':
      return g.node('Sigmoid', [logits]);
    case 'softmax':
      return g.node('Softmax', [logits], [intAttr('axis', -1)]);
  }
}

/** Width of the pieces of [0, ERF_CLAMP] on which erfF64 uses one Taylor polynomial. */
const ERF_PIECE = 0.25;
/** Taylor degree: the first omitted term is below 4e-19 on every piece (|d| ≤ 0.125). */
const ERF_DEGREE = 14;
/** erf(6) = 1 − 2.2e-17 rounds to 1 in float64, so |u| is clamped there. */
const ERF_CLAMP = 6;

/**
 * erf in float64 from ops onnxruntime's CPU provider has for doubles: with a = min(|u|, 6),
 * the piece i = ⌊a / 0.25⌋ and its centre c_i, erf(u) = sign(u) · Σ_k t_{i,k} (a − c_i)^k, the
 * Taylor coefficients (gathered per element) being
 * erf^(k)(c)/k! = 2/√π · e^(−c²) · (−1)^(k−1) H_{k−1}(c) / k!  (H = physicists' Hermite).
 * Piece 24 exists only for a = 6 exactly.
 */
function erfF64(g: GraphBuilder, u: string): string {
  const pieces = Math.floor(ERF_CLAMP / ERF_PIECE) + 1;
  const centres = new Float64Array(pieces);
  const coefs = Array.from({ length: ERF_DEGREE + 1 }, () => new Float64Array(pieces));
  for (let i = 0; i < pieces; i++) {
    const c = (i + 0.5) * ERF_PIECE;
    centres[i] = c;
    const taylor = erfTaylor(c, ERF_DEGREE);
    taylor.forEach((t, k) => (coefs[k][i] = t));
  }
  const a = g.node('Min', [g.node('Abs', [u]), g.scalar(ERF_CLAMP)]);
  const piece = g.node(
    'Cast',
    [g.node('Floor', [g.node('Div', [a, g.scalar(ERF_PIECE)])])],
    [intAttr('to', DataType.INT64)],
  );
  const gather = (table: Float64Array): string =>
    g.node('Gather', [g.tensor([pieces], table), piece]);
  const d = g.node('Sub', [a, gather(centres)]);
  let p = gather(coefs[ERF_DEGREE]);
  for (let k = ERF_DEGREE - 1; k >= 0; k--) {
    p = g.node('Add', [g.node('Mul', [p, d]), gather(coefs[k])]);
  }
  return g.node('Mul', [g.node('Sign', [u]), p]);
}

/** Taylor coefficients erf^(k)(c)/k!, k = 0..degree, via h_j = H_j(c)/j! (stable recurrence). */
function erfTaylor(c: number, degree: number): number[] {
  // network.ts's erf is ~1 ulp where it uses its continued fraction (≥ 2.5), but its
  // alternating series below loses up to ~3e-15 to cancellation; the positive series does not
  const out = [c < 2.5 ? erfPositiveSeries(c) : erf(c)];
  const scale = (2 / Math.sqrt(Math.PI)) * Math.exp(-c * c);
  let hPrev = 0; // h_{k-2}
  let hCur = 1; // h_{k-1}
  for (let k = 1; k <= degree; k++) {
    out.push((scale * (k % 2 === 1 ? hCur : -hCur)) / k);
    const next = (2 * c * hCur - 2 * hPrev) / k; // H_k = 2c·H_{k−1} − 2(k−1)·H_{k−2}
    hPrev = hCur;
    hCur = next;
  }
  return out;
}

/**
 * erf(c) for 0 ≤ c < 2.5 to ~1.5 ulp (checked against libm): erf(c) = 2/√π · e^(−c²) ·
 * Σ_j 2^j c^(2j+1) / (2j+1)!!. Every term is positive, so nothing cancels; c is a multiple of
 * 1/8, so c² is exact. (Beyond 2.5 the growing sum and e^(−c²) cost a few ulps.)
 */
function erfPositiveSeries(c: number): number {
  const c2 = c * c;
  let term = c;
  let sum = c;
  for (let j = 1; term > 1e-17 * sum; j++) {
    term *= (2 * c2) / (2 * j + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-c2) * sum;
}

/** Accumulates nodes and initializers with fresh names. */
class GraphBuilder {
  readonly nodes: OnnxTypes.INodeProto[] = [];
  readonly initializers: OnnxTypes.ITensorProto[] = [];
  private counter = 0;

  constructor(readonly dtype: 'f32' | 'f64') {}

  node(opType: string, input: string[], attribute: OnnxTypes.IAttributeProto[] = []): string {
    const output = this.fresh(opType.toLowerCase());
    this.nodes.push({ opType, input, output: [output], attribute, name: output });
    return output;
  }

  /** Make the last node, which produced the current value, write the graph output `name`. */
  nameLastOutput(name: string): void {
    this.nodes[this.nodes.length - 1].output = [name];
  }

  /** A float tensor initializer in the graph's dtype, little-endian raw data. */
  tensor(dims: number[], values: ArrayLike<number>): string {
    const name = this.fresh('w');
    const f64 = this.dtype === 'f64';
    const bytes = new Uint8Array(values.length * (f64 ? 8 : 4));
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < values.length; i++) {
      if (f64) view.setFloat64(8 * i, values[i], true);
      else view.setFloat32(4 * i, values[i], true);
    }
    const dataType = f64 ? DataType.DOUBLE : DataType.FLOAT;
    this.initializers.push({ name, dims, dataType, rawData: bytes });
    return name;
  }

  /** A rank-0 tensor of the graph's dtype (broadcasts against anything). */
  scalar(value: number): string {
    return this.tensor([], [value]);
  }

  int64s(values: number[]): string {
    const name = this.fresh('shape');
    const bytes = new Uint8Array(values.length * 8);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
    this.initializers.push({
      name,
      dims: [values.length],
      dataType: DataType.INT64,
      rawData: bytes,
    });
    return name;
  }

  private fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }
}

function valueInfo(
  name: string,
  elemType: number,
  shape: readonly Dim[],
): OnnxTypes.IValueInfoProto {
  const dim = shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function intAttr(name: string, i: number): OnnxTypes.IAttributeProto {
  return { name, type: AttributeType.INT, i };
}

function intsAttr(name: string, ints: number[]): OnnxTypes.IAttributeProto {
  return { name, type: AttributeType.INTS, ints };
}

function floatAttr(name: string, f: number): OnnxTypes.IAttributeProto {
  return { name, type: AttributeType.FLOAT, f };
}
