import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LineSplitter } from '../../src/oracle/lineSplitter.js';

/** Feed `chunks` and collect every line, or 'too-long'. */
function feed(splitter: LineSplitter, chunks: string[]): string[] | 'too-long' {
  const lines: string[] = [];
  for (const chunk of chunks) {
    const got = splitter.push(chunk);
    if (got === 'too-long') return got;
    lines.push(...got);
  }
  return lines;
}

describe('LineSplitter', () => {
  it('gives the same lines however the text is cut into chunks (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', '\n', '{', '"') }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (text, cuts) => {
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((x, y) => x - y);
          const chunks = [0, ...points].map((p, i, all) => text.slice(p, all[i + 1]));
          const expected = text.split('\n').slice(0, -1);
          assert.deepEqual(feed(new LineSplitter(Infinity), chunks), expected);
        },
      ),
    );
  });

  it('accepts a line of exactly maxLineChars and refuses one character more, even unfinished', () => {
    assert.deepEqual(feed(new LineSplitter(5), ['ab', 'cde\n']), ['abcde']);
    assert.equal(feed(new LineSplitter(5), ['ab', 'cdef\n']), 'too-long');
    const splitter = new LineSplitter(5);
    assert.deepEqual(splitter.push('abc'), []);
    assert.equal(splitter.push('def'), 'too-long', 'the guard fires before any line break comes');
    assert.equal(splitter.pendingChars, 0, 'the dropped text is not kept');
  });

  it('joins a 64 MB line sent in 64 KiB chunks in linear time', () => {
    // Appending to one buffer and searching it for each chunk (the old way) scans 1,000 chunks ×
    // 32 MB on average here, about 30 s on this machine; a linear splitter takes about 1 s.
    const chunk = '0.125,'.repeat((64 * 1024) / 6);
    const chunks = Array.from({ length: Math.ceil(64e6 / chunk.length) }, () => chunk);
    const start = performance.now();
    const lines = feed(new LineSplitter(Infinity), [...chunks, '\n']);
    const seconds = (performance.now() - start) / 1000;
    assert.ok(lines !== 'too-long');
    assert.equal(lines[0].length, chunk.length * chunks.length);
    assert.ok(seconds < 10, `took ${seconds.toFixed(2)} s`);
  });
});
