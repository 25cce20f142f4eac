/**
 * How an ONNX graph's declared input and output become an oracle's signature: which input and
 * output are used, the row length `n` and whether the first dim is a batch (input shape), the
 * output length `m` when the metadata fixes it (output shape), and the precision (element types).
 * The rules, with examples, are in the class comment of `OnnxOracle` (onnxOracle.ts).
 */
import type * as ort from 'onnxruntime-node';
import { UserError } from '../errors.js';
import type { Precision } from './oracle.js';
import { halfToNumber } from '../io/float16.js';

type ValueMetadata = ort.InferenceSession.ValueMetadata;
/** A graph input's or output's name, element type and declared shape. */
export type TensorMetadata = Extract<ValueMetadata, { isTensor: true }>;
/** The part of a session that declares its inputs and outputs. */
export type GraphSignature = Pick<
  ort.InferenceSession,
  'inputNames' | 'inputMetadata' | 'outputNames' | 'outputMetadata'
>;

/** Input layout read from the graph: `n`, and whether a symbolic first dim is the batch. */
export interface InputLayout {
  readonly inputDim: number;
  readonly batched: boolean;
  /** Shape of a single row as fed (`[1, …]` when batched, else the declared shape). */
  readonly rowShape: readonly number[];
}

/** Machine epsilon (the gap above 1) of each floating element type onnxruntime can return. */
export function epsilonOf(type: string): number | undefined {
  return type === 'float64'
    ? 2 ** -52
    : type === 'float32'
      ? 2 ** -23
      : type === 'float16'
        ? 2 ** -10
        : undefined;
}

/** The model's precision from the larger epsilon of its input and output types. */
export function precisionOf(epsilon: number): Precision {
  return epsilon <= 2 ** -52 ? 'f64' : epsilon <= 2 ** -23 ? 'f32' : 'unknown';
}

/**
 * The input to feed: `wanted`, or the only input without a default; float32 or float64.
 * @throws UserError when it is missing, another input needs feeding too, or its type is not float.
 */
export function pickInput(session: GraphSignature, label: string, wanted?: string): TensorMetadata {
  // inputNames lists only inputs without a default (initializer-backed inputs are excluded)
  const names = session.inputNames;
  if (names.length === 0) throw new UserError(`${label} has no inputs to feed`);
  const name = wanted ?? names[0];
  if (!names.includes(name)) {
    throw new UserError(`${label} has no input '${name}' (inputs: ${names.map(quote).join(', ')})`);
  }
  const others = names.filter((other) => other !== name);
  if (others.length > 0) {
    throw new UserError(
      `${label} has other required input(s) ${others.map(quote).join(', ')} with no default; ` +
        `spanrec can feed only '${name}'`,
    );
  }
  const meta = metadata(session.inputMetadata, name, label, 'input');
  if (meta.type !== 'float32' && meta.type !== 'float64') {
    throw new UserError(
      `${label}: input '${name}' has element type ${meta.type}; spanrec feeds float32 or float64`,
    );
  }
  return meta;
}

/**
 * The output to read: `wanted`, or the first output; any float type.
 * @throws UserError when it is missing or its type is not float.
 */
export function pickOutput(
  session: GraphSignature,
  label: string,
  wanted?: string,
): TensorMetadata {
  const names = session.outputNames;
  const name = wanted ?? names[0];
  if (name === undefined || !names.includes(name)) {
    throw new UserError(
      `${label} has no output '${name ?? ''}' (outputs: ${names.map(quote).join(', ')})`,
    );
  }
  const meta = metadata(session.outputMetadata, name, label, 'output');
  if (epsilonOf(meta.type) === undefined) {
    throw new UserError(
      `${label}: output '${name}' has element type ${meta.type}; spanrec reads float outputs`,
    );
  }
  return meta;
}

function metadata(
  list: readonly ValueMetadata[],
  name: string,
  label: string,
  kind: string,
): TensorMetadata {
  const meta = list.find((v) => v.name === name);
  if (!meta || !meta.isTensor) throw new UserError(`${label}: ${kind} '${name}' is not a tensor`);
  return meta;
}

const isFixed = (d: number | string): d is number => typeof d === 'number' && d >= 0;

/**
 * `n` and the row shape from the input's declared shape.
 * @throws UserError when a dim other than the first is symbolic or zero, or there is no shape.
 */
export function inputLayout(meta: TensorMetadata, label: string): InputLayout {
  const shape = meta.shape;
  const batched = shape.length > 0 && !isFixed(shape[0]);
  const rest = batched ? shape.slice(1) : shape;
  if (shape.length === 0 || !rest.every(isFixed) || rest.some((d) => d === 0)) {
    throw new UserError(
      `${label}: input '${meta.name}' has shape [${shape.map(showDim).join(', ')}]; spanrec needs ` +
        `fixed sizes in every dimension but a leading batch dimension`,
    );
  }
  const fixed = rest as number[];
  const inputDim = fixed.reduce((p, d) => p * d, 1);
  return { inputDim, batched, rowShape: batched ? [1, ...fixed] : fixed };
}

/** m from the output metadata, or null when it leaves m open (then it is probed). */
export function staticOutputDim(
  shape: readonly (number | string)[],
  batched: boolean,
): number | null {
  if (shape.length === 0) return null;
  const rest = batched ? shape.slice(1) : shape;
  if (batched && isFixed(shape[0])) return null; // a fixed output batch under a symbolic input
  if (!rest.every(isFixed)) return null;
  const m = (rest as number[]).reduce((p, d) => p * d, 1);
  return m > 0 ? m : null;
}

/**
 * An output tensor's values as float64, whatever its float type.
 * @throws UserError for a non-float tensor.
 */
export function toFloat64(tensor: ort.Tensor, label: string): Float64Array {
  switch (tensor.type) {
    case 'float64':
      return tensor.data as Float64Array;
    case 'float32':
      return Float64Array.from(tensor.data as Float32Array);
    case 'float16':
      return Float64Array.from(tensor.data as Uint16Array, halfToNumber);
    default:
      throw new UserError(
        `${label}: output has element type ${tensor.type}; spanrec reads float outputs`,
      );
  }
}

const quote = (name: string): string => `'${name}'`;
const showDim = (d: number | string): string => (isFixed(d) ? String(d) : d === '' ? '?' : d);
