import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  formatNpyHeader,
  NpyHeaderError,
  parseNpyHeader,
  shapeRepr,
  strRepr,
  type NpyHeader,
} from '../../src/io/npyHeader.js';

// Written by NumPy with test/fixtures/npy/make_fixtures.py.
const FIXTURES = fileURLToPath(new URL('../fixtures/npy/', import.meta.url));

/** The header text of a version 1.0 fixture, alignment spaces and final newline included. */
function fixtureHeader(name: string): string {
  const bytes = readFileSync(`${FIXTURES}${name}`);
  assert.equal(bytes[6], 1, `${name} is not format 1.0`);
  return bytes.subarray(10, 10 + bytes.readUInt16LE(8)).toString('latin1');
}

/** Assert that `text` is rejected with a one-line NpyHeaderError matching `problem`. */
function rejects(text: string, problem: RegExp): void {
  assert.throws(
    () => parseNpyHeader(text),
    (e: unknown) => {
      assert.ok(e instanceof NpyHeaderError, `expected NpyHeaderError, got ${String(e)}`);
      assert.match(e.message, problem);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    },
    text.slice(0, 100),
  );
}

const header = (descr: string, order: string, shape: string): string =>
  `{'descr': ${descr}, 'fortran_order': ${order}, 'shape': ${shape}}`;

describe('parseNpyHeader on headers written by NumPy', () => {
  const cases: [string, NpyHeader][] = [
    ['f8_2d.npy', { descr: '<f8', fortranOrder: false, shape: [3, 4] }],
    ['f4_be.npy', { descr: '>f4', fortranOrder: false, shape: [3, 4] }],
    ['f8_fortran.npy', { descr: '<f8', fortranOrder: true, shape: [3, 4] }],
    ['f8_1d.npy', { descr: '<f8', fortranOrder: false, shape: [5] }],
    ['f8_scalar.npy', { descr: '<f8', fortranOrder: false, shape: [] }],
    ['f8_empty.npy', { descr: '<f8', fortranOrder: false, shape: [0, 5] }],
    ['f8_3d.npy', { descr: '<f8', fortranOrder: false, shape: [2, 3, 4] }],
    ['u1_2d.npy', { descr: '|u1', fortranOrder: false, shape: [3, 4] }],
  ];
  for (const [name, expected] of cases) {
    it(name, () => assert.deepEqual(parseNpyHeader(fixtureHeader(name)), expected));
  }
});

describe('formatNpyHeader', () => {
  it("writes numpy.save's text, growth spaces included (then only alignment follows)", () => {
    const cases: [string, string, number[]][] = [
      ['f8_2d.npy', '<f8', [3, 4]],
      ['f4_2d.npy', '<f4', [3, 4]],
      ['f8_1d.npy', '<f8', [5]],
      ['f8_tall.npy', '<f8', [1000, 3]],
      ['f8_scalar.npy', '<f8', []],
      ['f8_empty.npy', '<f8', [0, 5]],
      ['f8_3d.npy', '<f8', [2, 3, 4]],
    ];
    for (const [name, descr, shape] of cases) {
      const numpyText = fixtureHeader(name);
      const ours = formatNpyHeader(descr, shape);
      assert.ok(numpyText.startsWith(ours), `${name}: ${JSON.stringify(ours)}`);
      assert.match(numpyText.slice(ours.length), /^ *\n$/, name);
    }
  });

  it('parseNpyHeader reads back what it writes (property)', () => {
    const dim = fc.oneof(fc.nat(10), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
    const descr = fc.constantFrom('<f8', '<f4', '>i2', '|u1', '|b1', '=f8');
    fc.assert(
      fc.property(descr, fc.array(dim, { maxLength: 6 }), (d, shape) => {
        assert.deepEqual(parseNpyHeader(`${formatNpyHeader(d, shape)}   \n`), {
          descr: d,
          fortranOrder: false,
          shape,
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseNpyHeader reads Python literals as Python does', () => {
  it('quotes, escapes, spacing, trailing commas, Python 2 longs', () => {
    assert.deepEqual(parseNpyHeader(`{"descr":"<f8","fortran_order":True,"shape":( 1L , 2l,),}`), {
      descr: '<f8',
      fortranOrder: true,
      shape: [1, 2],
    });
    assert.equal(parseNpyHeader(header(String.raw`'\x3cf\u0038'`, 'False', '()')).descr, '<f8');
    assert.equal(parseNpyHeader(header(String.raw`'<\'f8'`, 'False', '()')).descr, "<'f8");
  });

  it('(5) is 5, not a tuple; (5,) and () are tuples', () => {
    rejects(header("'<f8'", 'False', '(5)'), /^shape is not a tuple of non-negative integers: 5$/);
    assert.deepEqual(parseNpyHeader(header("'<f8'", 'False', '(5,)')).shape, [5]);
    assert.deepEqual(parseNpyHeader(header("'<f8'", 'False', '()')).shape, []);
    rejects(header("'<f8'", 'False', '((7))'), /: 7$/);
  });

  it('a repeated key: the last one wins, as in a dict literal', () => {
    const text = `{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': ()}`;
    assert.equal(parseNpyHeader(text).descr, '<f8');
  });
});

describe('parseNpyHeader rejects', () => {
  it('text that is not one Python literal, naming the character', () => {
    const problems: [string, RegExp][] = [
      ['', /^cannot parse \.npy header \(unexpected end of header at character 0\)$/],
      ["{'descr': ", /\(unexpected end of header at character 10\)$/],
      ["{'descr'", /\(expected ':' at character 8\)$/],
      ["{'descr' '<f8'}", /\(expected ':' at character 9\)$/],
      ["{'descr': '<f8' 'shape': ()}", /\(expected ',' or '}' at character 16\)$/],
      ["{'descr': '<f8\n'}", /\(newline in string at character 15\)$/],
      ["{'descr': '<f8}", /\(unterminated string at character 15\)$/],
      [String.raw`{'descr': '\x3'}`, /\(bad escape in string at character 13\)$/],
      ["{'shape': (1 2)}", /\(expected ',' or '\)' at character 13\)$/],
      ["{'shape': 1.5}", /\(unexpected "1" at character 10\)$/],
      ["{'shape': true}", /\(unexpected "t" at character 10\)$/],
      [header("'<f8'", 'False', '()') + ' x', /\(unexpected text after the header dict at char/],
    ];
    for (const [text, problem] of problems) rejects(text, problem);
  });

  it('nesting too deep to parse, as a header error rather than a crash', () => {
    rejects('('.repeat(1_000_000), /^cannot parse \.npy header \(RangeError: /);
  });

  it('dicts that are not the three keys with the right types', () => {
    const problems: [string, RegExp][] = [
      ["['descr']", /^\.npy header is not a dict$/],
      [
        header("'<f8'", 'False', '()').replace('}', ", 'x': 1}"),
        /^\.npy header has unexpected key 'x'$/,
      ],
      ["{1: 2, 'descr': '<f8', 'fortran_order': False, 'shape': ()}", /unexpected key 1$/],
      ["{'descr': '<f8'}", /^\.npy header lacks 'fortran_order', 'shape'$/],
      [header("[('a', '<f8')]", 'False', '()'), /^unsupported dtype \(structured array\)$/],
      [header('None', 'False', '()'), /^unsupported dtype None$/],
      [header("'<f8'", '0', '()'), /^fortran_order is not a bool: 0$/],
      [
        header("'<f8'", 'False', '[3, 4]'),
        /^shape is not a tuple of non-negative integers: \[3, 4\]$/,
      ],
      [header("'<f8'", 'False', '(3, -4)'), /: \(3, -4\)$/],
      [header("'<f8'", 'False', '(3, True)'), /: \(3, True\)$/],
      [header("'<f8'", 'False', '(9007199254740992,)'), /: \(9007199254740992,\)$/],
    ];
    for (const [text, problem] of problems) rejects(text, problem);
  });
});

describe('reprs for error messages', () => {
  it('shapeRepr is the repr of a Python tuple', () => {
    assert.equal(shapeRepr([]), '()');
    assert.equal(shapeRepr([5]), '(5,)');
    assert.equal(shapeRepr([3, 4]), '(3, 4)');
  });

  it('strRepr quotes like Python, on one short line', () => {
    assert.equal(strRepr('<f8'), "'<f8'");
    assert.equal(strRepr("a'b\\c"), String.raw`'a\'b\\c'`);
    assert.equal(strRepr('a\nb\u007f'), String.raw`'a\x0ab\x7f'`);
    const long = strRepr('x'.repeat(200));
    assert.equal(long.length, 80);
    assert.ok(long.endsWith('...'));
  });
});
