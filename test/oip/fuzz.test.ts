import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { UserError } from '../../src/errors.js';
import { decodeNpy, encodeNpy } from '../../src/io/npy.js';
import { parseInferRequest, parseInferResponse, parseMetadata } from '../../src/oip/protocol.js';
import { parseAnswer } from '../../src/oracle/cmdProtocol.js';

/** Runs per property: enough to reach odd corners, few enough for a quick suite. */
const RUNS = 300;

/** JSON-ish text: real JSON values (often protocol-shaped), mangled by cuts and junk. */
const tensor = fc.record({
  name: fc.oneof(fc.constant('x'), fc.string()),
  datatype: fc.constantFrom('FP32', 'FP64', 'BYTES', 'INT8', ''),
  shape: fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 4 }),
  data: fc.oneof(
    fc.array(fc.oneof(fc.double(), fc.string(), fc.constant(null)), { maxLength: 12 }),
    fc.jsonValue(),
  ),
});
const protocolText = fc.oneof(
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record({
      inputs: fc.array(tensor, { maxLength: 2 }),
      outputs: fc.array(tensor, { maxLength: 2 }),
    })
    .map((v) => JSON.stringify(v)),
  fc.tuple(fc.jsonValue(), fc.nat(), fc.string()).map(([v, cut, junk]) => {
    const text = JSON.stringify(v) ?? '';
    return text.slice(0, cut % (text.length + 1)) + junk;
  }),
);

describe('parsers never crash on hostile input (fuzz)', () => {
  it('Open Inference Protocol: metadata, infer responses and request bodies', () => {
    const meta = { inputName: 'x', rowShape: [2], batched: true };
    fc.assert(
      fc.property(protocolText, fc.integer({ min: 0, max: 4 }), (text, rows) => {
        for (const r of [
          parseMetadata(text),
          parseInferResponse(text, rows),
          parseInferRequest(text, meta, 8),
        ]) {
          assert.equal(typeof r.ok, 'boolean');
          if (!r.ok) assert.ok(!r.message.includes('\n'), r.message);
        }
        const request = parseInferRequest(text, meta, 8);
        if (request.ok) assert.equal(request.value.data.length, request.value.rows * 2);
      }),
      { numRuns: RUNS },
    );
  });

  it('a deeply nested data array is refused, not a stack overflow', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const body = `{"inputs":[{"name":"x","datatype":"FP64","shape":[1,2],"data":${deep}}]}`;
    assert.equal(
      parseInferRequest(body, { inputName: 'x', rowShape: [2], batched: true }, 8).ok,
      false,
    );
  });

  it('cmd: answer lines', () => {
    fc.assert(
      fc.property(protocolText, fc.integer({ min: 0, max: 4 }), (line, rows) => {
        const r = parseAnswer(line, rows, undefined);
        if (r.ok) assert.equal(r.data.length, rows * r.cols);
        else assert.ok(!r.message.includes('\n'));
      }),
      { numRuns: RUNS },
    );
  });

  it('.npy bytes: a valid file mangled anywhere decodes or is a UserError', () => {
    const valid = encodeNpy({ rows: 2, cols: 3, data: Float64Array.of(1, 2, 3, 4, 5, 6) });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(),
        (edits, cut) => {
          const bytes = Uint8Array.from(valid).subarray(
            0,
            valid.length - (cut % 8 === 0 ? cut % valid.length : 0),
          );
          const mangled = Uint8Array.from(bytes);
          for (const [at, value] of edits)
            if (mangled.length > 0) mangled[at % mangled.length] = value;
          try {
            const a = decodeNpy(mangled, 'fuzz.npy');
            assert.equal(
              a.data.length,
              a.shape.reduce((p, d) => p * d, 1),
            );
          } catch (e) {
            assert.ok(e instanceof UserError, String(e));
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
