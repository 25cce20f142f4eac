/**
 * The Open Inference Protocol (KServe v2) over REST, as pure functions over JSON text: the
 * model metadata, infer requests and infer responses, each checked as untrusted input. Used by
 * the HTTP oracle (client side) and by `spanrec serve` (server side).
 *
 * Only the tensor datatypes a score model uses are accepted: FP32 and FP64 inputs; FP16/32/64
 * and integer outputs.
 */
import { oneLine } from '../errors.js';

/** Longest piece of a peer's text quoted in one message. */
export const QUOTE_CHARS = 200;

/** Input datatypes a model may declare (they fix the precision of its arithmetic). */
export type InputDatatype = 'FP32' | 'FP64';
const OUTPUT_DATATYPES = ['FP16', 'FP32', 'FP64', 'INT8', 'INT16', 'INT32', 'INT64', 'UINT8'];

/** What the client needs from `GET /v2/models/NAME`. */
export interface ModelMetadata {
  readonly name: string;
  readonly inputName: string;
  readonly datatype: InputDatatype;
  /** The input's shape without the batch dimension; `n` is its product. */
  readonly rowShape: readonly number[];
  /** The model takes batches of any size (first dimension -1), or one row per request. */
  readonly batched: boolean;
  /** Output length `m` when the metadata fixes it, else undefined. */
  readonly outputDim: number | undefined;
}

/** A checked value, or why it was refused. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };
const refuse = <T>(message: string): Checked<T> => ({ ok: false, message });

/** Parse JSON text into an object, or say why not (quoting the start of the text). */
export function parseJsonObject(text: string, what: string): Checked<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return refuse(`${what} is not JSON: ${quoteText(text)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse(`${what} is not a JSON object: ${quoteText(text)}`);
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** `text` quoted on one line, cut to {@link QUOTE_CHARS}. */
export function quoteText(text: string): string {
  const head = text.length > 4 * QUOTE_CHARS ? text.slice(0, 4 * QUOTE_CHARS) : text;
  return `'${oneLine(head, { maxChars: QUOTE_CHARS })}'`;
}

/** The `{"error": …}` text of an error body, when there is one. */
export function errorText(body: string): string | undefined {
  const parsed = parseJsonObject(body, 'error body');
  if (!parsed.ok || !('error' in parsed.value)) return undefined;
  const e = parsed.value.error;
  return oneLine(typeof e === 'string' ? e : (JSON.stringify(e) ?? 'null'), {
    maxChars: QUOTE_CHARS,
  });
}

/** Check a model metadata document (the first input and, if given, the first output). */
export function parseMetadata(body: string): Checked<ModelMetadata> {
  const doc = parseJsonObject(body, 'model metadata');
  if (!doc.ok) return doc;
  const { name, inputs, outputs } = doc.value;
  if (!Array.isArray(inputs) || inputs.length === 0) {
    return refuse('model metadata has no "inputs"');
  }
  if (inputs.length > 1) {
    return refuse(`model metadata lists ${inputs.length} inputs; only single-input models work`);
  }
  const input = tensorMeta(inputs[0]);
  if (input === null) return refuse('model metadata: inputs[0] needs "name", "datatype", "shape"');
  if (input.datatype !== 'FP32' && input.datatype !== 'FP64') {
    return refuse(`model input '${input.name}' is ${input.datatype}; only FP32 and FP64 work`);
  }
  const layout = batchLayout(input.shape);
  if (layout === null) {
    return refuse(
      `model input '${input.name}' has shape [${input.shape.join(', ')}]; expected ` +
        '[-1, d1, …] (any batch) or [1, d1, …] (one row per request) with fixed d1, …',
    );
  }
  const output = Array.isArray(outputs) && outputs.length > 0 ? tensorMeta(outputs[0]) : null;
  const outLayout = output === null ? null : batchLayout(output.shape);
  return {
    ok: true,
    value: {
      name: typeof name === 'string' ? name : '',
      inputName: input.name,
      datatype: input.datatype,
      rowShape: layout.rowShape,
      batched: layout.batched,
      outputDim: outLayout === null ? undefined : product(outLayout.rowShape),
    },
  };
}

/** The body of an infer request for `rows` rows of `rowShape` (data row-major). */
export function encodeInferRequest(
  meta: Pick<ModelMetadata, 'inputName' | 'datatype' | 'rowShape'>,
  data: Float64Array,
  rows: number,
): string {
  const f32 = meta.datatype === 'FP32';
  const values: string[] = new Array<string>(data.length);
  for (let i = 0; i < data.length; i++) {
    const x = f32 ? Math.fround(data[i]) : data[i];
    // String(x) round-trips exactly; JSON has no -0, but "-0.0" keeps the sign where it matters.
    values[i] = Object.is(x, -0) ? '-0.0' : String(x);
  }
  const shape = JSON.stringify([rows, ...meta.rowShape]);
  const name = JSON.stringify(meta.inputName);
  return (
    `{"inputs":[{"name":${name},"shape":${shape},"datatype":"${meta.datatype}",` +
    `"data":[${values.join(',')}]}]}`
  );
}

/** A checked infer response: `rows × cols` finite values. */
export interface InferOutputs {
  readonly cols: number;
  readonly data: Float64Array;
}

/** Why an answer was refused; `untrusted` answers (non-finite values) concern that request only. */
export type InferChecked =
  { ok: true; value: InferOutputs } | { ok: false; message: string; untrusted: boolean };

/** Check the response to a request of `rows` rows: `outputs[0]` of shape `[rows, …]`. */
export function parseInferResponse(body: string, rows: number): InferChecked {
  const bad = (message: string, untrusted = false): InferChecked => ({
    ok: false,
    message,
    untrusted,
  });
  const doc = parseJsonObject(body, 'infer response');
  if (!doc.ok) return bad(doc.message);
  const outputs = doc.value.outputs;
  if (!Array.isArray(outputs) || outputs.length === 0) {
    return bad(`infer response has no "outputs": ${quoteText(body)}`);
  }
  const tensor = tensorMeta(outputs[0]);
  if (tensor === null) return bad('infer response: outputs[0] needs "name", "datatype", "shape"');
  if (!OUTPUT_DATATYPES.includes(tensor.datatype)) {
    return bad(`infer response: output datatype ${tensor.datatype} is not numeric`);
  }
  const [batch, ...rest] = tensor.shape;
  if (batch !== rows || rest.some((d) => d < 1)) {
    return bad(`infer response: output shape [${tensor.shape.join(', ')}] for ${rows} rows`);
  }
  const cols = product(rest);
  const flat = flatten((outputs[0] as Record<string, unknown>).data, rows * cols);
  if (typeof flat === 'string') return bad(`infer response: output data ${flat}`);
  for (let i = 0; i < flat.length; i++) {
    if (!Number.isFinite(flat[i])) {
      const r = Math.floor(i / cols);
      return bad(`infer response: row ${r}, entry ${i - r * cols} is ${flat[i]}`, true);
    }
  }
  return { ok: true, value: { cols, data: flat } };
}

/** Check an infer request against the served model; the rows, or why it is refused. */
export function parseInferRequest(
  body: string,
  meta: Pick<ModelMetadata, 'inputName' | 'rowShape' | 'batched'>,
  maxRows: number,
): Checked<{ rows: number; data: Float64Array }> {
  const doc = parseJsonObject(body, 'request body');
  if (!doc.ok) return doc;
  const inputs = doc.value.inputs;
  if (!Array.isArray(inputs) || inputs.length !== 1) {
    return refuse('request needs "inputs" with exactly one tensor');
  }
  const tensor = tensorMeta(inputs[0]);
  if (tensor === null) return refuse('inputs[0] needs "name", "datatype" and "shape"');
  if (tensor.name !== meta.inputName) {
    return refuse(
      `unknown input ${quoteText(tensor.name)}; the model's input is '${meta.inputName}'`,
    );
  }
  if (tensor.datatype !== 'FP32' && tensor.datatype !== 'FP64') {
    return refuse(`datatype ${quoteText(tensor.datatype)}: expected FP32 or FP64`);
  }
  const [rows, ...rest] = tensor.shape;
  const want = meta.rowShape;
  if (rest.length !== want.length || rest.some((d, i) => d !== want[i]) || rows < 0) {
    return refuse(`shape [${tensor.shape.join(', ')}]: expected [B, ${want.join(', ')}]`);
  }
  if (rows > maxRows || (!meta.batched && rows !== 1)) {
    return refuse(`batch of ${rows} rows: at most ${meta.batched ? maxRows : 1} per request`);
  }
  const flat = flatten((inputs[0] as Record<string, unknown>).data, rows * product(want));
  if (typeof flat === 'string') return refuse(`data ${flat}`);
  const bad = flat.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) return refuse(`data entry ${bad} is not a finite number`);
  return { ok: true, value: { rows, data: flat } };
}

/** The body of an infer response (FP64 output). */
export function encodeInferResponse(
  modelName: string,
  outputName: string,
  rows: number,
  cols: number,
  data: Float64Array,
): string {
  const values = Array.from(data, (x) => String(x)).join(',');
  return (
    `{"model_name":${JSON.stringify(modelName)},"outputs":[{"name":${JSON.stringify(outputName)},` +
    `"shape":[${rows},${cols}],"datatype":"FP64","data":[${values}]}]}`
  );
}

// ---------------------------------------------------------------------------------------------

interface TensorMeta {
  readonly name: string;
  readonly datatype: string;
  readonly shape: number[];
}

function tensorMeta(t: unknown): TensorMeta | null {
  if (typeof t !== 'object' || t === null) return null;
  const { name, datatype, shape } = t as Record<string, unknown>;
  if (typeof name !== 'string' || typeof datatype !== 'string' || !Array.isArray(shape)) {
    return null;
  }
  if (shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d >= -1)) return null;
  return { name, datatype, shape: shape as number[] };
}

/** `[-1, …]`: any batch; `[1, …]` with fixed other dims: one row; otherwise null. */
function batchLayout(shape: number[]): { rowShape: number[]; batched: boolean } | null {
  const [first, ...rest] = shape;
  if (rest.length === 0 || rest.some((d) => d < 1)) return null;
  if (first === -1) return { rowShape: rest, batched: true };
  if (first === 1) return { rowShape: rest, batched: false };
  return null;
}

function product(dims: readonly number[]): number {
  return dims.reduce((p, d) => p * d, 1);
}

/** Row-major values of flat or nested `data`, exactly `count` numbers, or what is wrong. */
function flatten(data: unknown, count: number): Float64Array | string {
  if (!Array.isArray(data)) return 'is not an array';
  let flat: unknown[];
  try {
    flat = data.flat(Infinity) as unknown[];
  } catch {
    return 'is nested too deeply'; // flat() recurses: a hostile nesting overflows the stack
  }
  if (flat.length !== count) return `holds ${flat.length} values, expected ${count}`;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const x = flat[i];
    if (typeof x !== 'number') return `entry ${i} is not a number`;
    out[i] = x;
  }
  return out;
}
