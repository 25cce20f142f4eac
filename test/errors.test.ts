import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { oneLine } from '../src/errors.js';

describe('oneLine', () => {
  it('turns line breaks into " | " and other whitespace runs into one space', () => {
    assert.equal(oneLine('  a\r\n  b\n\nc  '), 'a | b | c');
    assert.equal(
      oneLine('Traceback:\n\tFile "x.py"\n  ValueError:  bad'),
      'Traceback: | File "x.py" | ValueError: bad',
    );
    assert.equal(oneLine('already one line'), 'already one line');
  });

  it('cuts to maxChars, keeping the start or the end, and marks the cut', () => {
    const long = 'x'.repeat(299) + 'yz';
    assert.equal(oneLine(long), long, 'no limit by default');
    assert.equal(oneLine(long, { maxChars: 300 }), `${'x'.repeat(299)}y…`);
    assert.equal(oneLine(long, { maxChars: 300, keepEnd: true }), `…${'x'.repeat(298)}yz`);
    assert.equal(oneLine(long, { maxChars: 301 }), long, 'a text that fits is not cut');
  });

  it('never leaves a line break, and keeps every non-blank character in order (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\t', '\n', '\r', '|') }),
        (text) => {
          const flat = oneLine(text);
          assert.ok(!/[\r\n]/.test(flat), JSON.stringify(flat));
          assert.equal(flat, flat.trim());
          const letters = (s: string): string => s.replace(/[^ab]/g, '');
          assert.equal(letters(flat), letters(text));
        },
      ),
    );
  });
});

describe('oneLine and control characters', () => {
  it('shows ESC sequences, DEL, C1 and bidi overrides as escapes, so none reaches a terminal', () => {
    assert.equal(oneLine('red \u001b[31mX\u001b[0m'), 'red \\x1b[31mX\\x1b[0m');
    assert.equal(oneLine('a\u0007b\u007fc\u009bd'), 'a\\x07b\\x7fc\\x9bd');
    assert.equal(oneLine('abc\u202edcba'), 'abc\\u202edcba');
    assert.equal(oneLine('one\u2028two'), 'one | two', 'Unicode line separators break lines too');
  });

  it('leaves no control character in any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        // eslint-disable-next-line no-control-regex -- checking for control characters
        assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(oneLine(text)));
      }),
    );
  });
});
