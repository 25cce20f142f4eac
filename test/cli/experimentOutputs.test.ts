import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { docMarkers, readDocSections, spliceDocTables } from '../../src/cli/experimentOutputs.js';
import { tempDir } from '../helpers.js';

describe('spliceDocTables', () => {
  it('keeps what was written to the document while the experiment ran', async () => {
    const path = join(tempDir(), 'RESULTS.md');
    const { begin, end } = docMarkers('demo');
    writeFileSync(path, `# Head\n\n${begin}\nold\n${end}\n`);
    const doc = await readDocSections(path, docMarkers('demo'));
    // Meanwhile: the text is edited, and another experiment splices its own section.
    const other = docMarkers('other');
    writeFileSync(
      path,
      `# Head, edited\n\n${begin}\nold\n${end}\n\n${other.begin}\nother tables\n${other.end}\n`,
    );
    await spliceDocTables(doc, '| new |\n');
    assert.equal(
      readFileSync(path, 'utf8'),
      `# Head, edited\n\n${begin}\n\n| new |\n\n${end}\n\n${other.begin}\nother tables\n${other.end}\n`,
    );
  });
});
