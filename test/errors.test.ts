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
