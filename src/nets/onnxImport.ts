/**
 * Read back the simplest graphs {@link networkToOnnx} writes — a chain of `Gemm` (`transB = 1`,
 * optional bias) with `Relu` between them and no head — as a float64 {@link Network}. Its
 * `forward` evaluates the very weights the ONNX model holds (float32 values widen exactly) in
 * float64: the bundled model's exact, in-process counterpart for experiments.
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { UserError } from '../errors.js';
import type { DenseLayer, Network } from './network.js';

// onnx-proto is CommonJS whose `onnx` namespace Node's ESM loader cannot see as a named export.
const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;

/**
 * The ReLU MLP in `bytes` (an ONNX model), weights widened to float64.
 * @throws UserError naming what does not fit: another op, a `Gemm` without `transB = 1`, a
 *   weight that is not a raw float32/float64 initializer, or layers whose sizes do not chain.
 */
export function reluMlpFromOnnx(bytes: Uint8Array, what = 'ONNX model'): Network {
  const graph = onnx.ModelProto.decode(bytes).graph;
  const refuse = (why: string): never => {
    throw new UserError(`${what}: not a plain ReLU MLP (${why})`);
  };
  if (!graph) return refuse('no graph');
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const layers: DenseLayer[] = [];
  const nodes = graph.node ?? [];
  nodes.forEach((node, i) => {
    if (i > 0 && node.input?.[0] !== nodes[i - 1].output?.[0]) {
      refuse(`node ${i} does not take node ${i - 1}'s output`);
    }
    if (node.opType === 'Relu') {
      // A ReLU must sit between two Gemms: the Network type applies one after every layer but the last.
      if (nodes[i - 1]?.opType !== 'Gemm' || nodes[i + 1]?.opType !== 'Gemm') {
        refuse(`a Relu at node ${i} is not between two Gemms`);
      }
      return;
    }
    if (node.opType !== 'Gemm') return refuse(`node ${i} is ${node.opType}`);
    if (i > 0 && nodes[i - 1].opType !== 'Relu') refuse(`Gemm ${i} follows no Relu`);
    const transB = node.attribute?.find((a) => a.name === 'transB')?.i;
    if (Number(transB ?? 0) !== 1) refuse(`Gemm ${i} without transB = 1`);
    const extra = node.attribute?.find((a) => a.name !== 'transB');
    if (extra) refuse(`Gemm ${i} has attribute ${extra.name}`);
    const [, weightName, biasName] = node.input ?? [];
    const weight = tensorOf(initializers.get(weightName ?? ''), 2, refuse);
    const bias = biasName === undefined ? null : tensorOf(initializers.get(biasName), 1, refuse);
    const [rows, cols] = weight.dims;
    if (bias !== null && bias.dims[0] !== rows) refuse(`Gemm ${i}'s bias is not ${rows} long`);
    const below = layers[layers.length - 1];
    if (below !== undefined && below.weight.rows !== cols) {
      refuse(`Gemm ${i} takes ${cols} inputs, the layer below gives ${below.weight.rows}`);
    }
    layers.push({ weight: { rows, cols, data: weight.data }, bias: bias?.data ?? null });
  });
  if (layers.length === 0) refuse('no Gemm');
  return { layers, activation: 'relu' };
}

/** A raw-data float initializer of `rank` dimensions, widened to float64. */
function tensorOf(
  t: OnnxTypes.ITensorProto | undefined,
  rank: number,
  refuse: (why: string) => never,
): { dims: number[]; data: Float64Array } {
  if (!t?.rawData || !t.dims || t.dims.length !== rank) {
    return refuse(`a Gemm input is not a raw initializer of rank ${rank}`);
  }
  const dims = t.dims.map(Number);
  const count = dims.reduce((p, d) => p * d, 1);
  const raw = t.rawData;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const f64 = t.dataType === DataType.DOUBLE;
  if (!f64 && t.dataType !== DataType.FLOAT) refuse(`initializer ${t.name} is not float32/64`);
  const size = f64 ? 8 : 4;
  if (raw.byteLength !== count * size) refuse(`initializer ${t.name} holds the wrong byte count`);
  const data = Float64Array.from({ length: count }, (_, i) =>
    f64 ? view.getFloat64(size * i, true) : view.getFloat32(size * i, true),
  );
  return { dims, data };
}
