import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { UserError } from '../../src/errors.js';
import {
  epsilonOf,
  inputLayout,
  pickInput,
  pickOutput,
  precisionOf,
  staticOutputDim,
  toFloat64,
  type GraphSignature,
  type TensorMetadata,
} from '../../src/oracle/onnxShapes.js';

const LABEL = "ONNX model 'm.onnx'";

type Dims = (number | string)[];
const tensor = (name: string, type: ort.Tensor.Type, shape: Dims): TensorMetadata => ({
  name,
  isTensor: true,
  type,
  shape,
});

/** A graph's declared inputs (all required, as `inputNames` lists them) and outputs. */
function graph(inputs: TensorMetadata[], outputs: TensorMetadata[]): GraphSignature {
  return {
    inputNames: inputs.map((v) => v.name),
    inputMetadata: inputs,
    outputNames: outputs.map((v) => v.name),
    outputMetadata: outputs,
  };
}

function throwsUserError(f: () => unknown, pattern: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.ok(e.message.startsWith(LABEL), e.message);
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
    return true;
  });
}

describe('inputLayout: n and the batch dim from the input shape', () => {
  it('a symbolic first dim is the batch; fixed dims are one example', () => {
    const cases: [Dims, number, boolean, number[]][] = [
      [['batch', 16, 96], 1536, true, [1, 16, 96]],
      [[-1, 3], 3, true, [1, 3]], // a negative size is onnxruntime's "unknown"
      [[1, 16, 96], 1536, false, [1, 16, 96]],
      [[784], 784, false, [784]],
      [[16, 96], 1536, false, [16, 96]],
    ];
    for (const [shape, inputDim, batched, rowShape] of cases) {
      const layout = inputLayout(tensor('x', 'float32', shape), LABEL);
      assert.deepEqual(layout, { inputDim, batched, rowShape }, JSON.stringify(shape));
    }
  });

  it('refuses shapes that leave n unknown or zero', () => {
    const cases: [Dims, RegExp][] = [
      [['b', 'seq'], /input 'x' has shape \[b, seq\]; spanrec needs fixed sizes/],
      [[], /input 'x' has shape \[\]/],
      [['', 4, 'len'], /shape \[\?, 4, len\]/],
      [['b', 0, 3], /shape \[b, 0, 3\]/],
      [[5, 'b'], /shape \[5, b\]/],
    ];
    for (const [shape, pattern] of cases) {
      throwsUserError(() => inputLayout(tensor('x', 'float32', shape), LABEL), pattern);
    }
  });
});

describe('staticOutputDim: m from the output shape, or null to probe', () => {
  it('the product of the non-batch dims when all are fixed', () => {
    assert.equal(staticOutputDim(['b', 4], true), 4);
    assert.equal(staticOutputDim(['b', 2, 5], true), 10);
    assert.equal(staticOutputDim([3, 4], false), 12);
    assert.equal(staticOutputDim([1, 10], false), 10);
  });

  it('null when the metadata leaves m open', () => {
    assert.equal(staticOutputDim([], true), null); // no shape at all
    assert.equal(staticOutputDim(['b', 'c'], true), null);
    assert.equal(staticOutputDim([1, 2, 2], true), null); // a fixed batch under a symbolic input
    assert.equal(staticOutputDim(['b', 0], true), null);
    assert.equal(staticOutputDim([4, 'n'], false), null);
  });
});

describe('pickInput and pickOutput', () => {
  const x = tensor('x', 'float32', ['b', 3]);
  const y = tensor('y', 'float64', ['b', 2]);

  it('default to the first input and output, or take the named ones', () => {
    assert.equal(pickInput(graph([x], [y]), LABEL), x);
    assert.equal(pickInput(graph([x], [y]), LABEL, 'x'), x);
    const z = tensor('z', 'float16', ['b', 2]);
    assert.equal(pickOutput(graph([x], [y, z]), LABEL), y);
    assert.equal(pickOutput(graph([x], [y, z]), LABEL, 'z'), z);
  });

  it('name the missing or extra inputs, listing the choices', () => {
    const mask = tensor('mask', 'float32', ['b', 3]);
    throwsUserError(() => pickInput(graph([], [y]), LABEL), /has no inputs to feed$/);
    throwsUserError(
      () => pickInput(graph([x, mask], [y]), LABEL, 'z'),
      /has no input 'z' \(inputs: 'x', 'mask'\)$/,
    );
    throwsUserError(
      () => pickInput(graph([x, mask], [y]), LABEL),
      /has other required input\(s\) 'mask' with no default; spanrec can feed only 'x'$/,
    );
    throwsUserError(
      () => pickOutput(graph([x], [y]), LABEL, 'logits'),
      /has no output 'logits' \(outputs: 'y'\)$/,
    );
    throwsUserError(() => pickOutput(graph([x], []), LABEL), /has no output '' \(outputs: \)$/);
  });

  it('feed only float32/float64 tensors and read only float outputs', () => {
    throwsUserError(
      () => pickInput(graph([tensor('ids', 'int64', ['b', 3])], [y]), LABEL),
      /input 'ids' has element type int64; spanrec feeds float32 or float64$/,
    );
    throwsUserError(
      () => pickInput(graph([tensor('h', 'float16', ['b', 3])], [y]), LABEL),
      /input 'h' has element type float16/,
    );
    throwsUserError(
      () => pickOutput(graph([x], [tensor('label', 'int64', ['b'])]), LABEL),
      /output 'label' has element type int64; spanrec reads float outputs$/,
    );
    const sequence = { name: 'seq', isTensor: false } as const;
    throwsUserError(
      () =>
        pickOutput({ ...graph([x], []), outputNames: ['seq'], outputMetadata: [sequence] }, LABEL),
      /output 'seq' is not a tensor$/,
    );
  });
});

describe('precision from the element types', () => {
  it('the larger epsilon of input and output decides', () => {
    const precision = (input: string, output: string) =>
      precisionOf(Math.max(epsilonOf(input) ?? 1, epsilonOf(output) ?? 1));
    assert.equal(precision('float64', 'float64'), 'f64');
    assert.equal(precision('float32', 'float32'), 'f32');
    assert.equal(precision('float64', 'float32'), 'f32');
    assert.equal(precision('float32', 'float64'), 'f32');
    assert.equal(precision('float64', 'float16'), 'unknown');
    assert.equal(epsilonOf('int32'), undefined);
  });
});

describe('toFloat64', () => {
  it('widens float64, float32 and float16 outputs exactly', () => {
    const f64 = Float64Array.of(0.1, -0, 1e300);
    assert.equal(toFloat64(new ort.Tensor('float64', f64, [3]), LABEL), f64);
    const f32 = Float32Array.of(0.1, -2.5, 3e38);
    assert.deepEqual(toFloat64(new ort.Tensor('float32', f32, [3]), LABEL), Float64Array.from(f32));
    // binary16 bits: 1, -2, 65504, 2^-24 (smallest subnormal), -0, Infinity, NaN
    const bits = Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00, 0x7e00);
    const halves = toFloat64(new ort.Tensor('float16', bits, [7]), LABEL);
    const expected = [1, -2, 65504, 2 ** -24, -0, Infinity, NaN];
    halves.forEach((v, k) => assert.ok(Object.is(v, expected[k]), `${bits[k]}: ${v}`));
  });

  it('refuses other element types', () => {
    throwsUserError(
      () => toFloat64(new ort.Tensor('int32', Int32Array.of(1), [1]), LABEL),
      /output has element type int32; spanrec reads float outputs$/,
    );
  });
});
