import assert from 'node:assert/strict';
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { UserError } from '../../src/errors.js';
import { readRegularFile, writeFileReplacing } from '../../src/io/safeFiles.js';
import { tempDir } from '../helpers.js';

const dir = tempDir();

test('readRegularFile reads up to maxBytes and refuses one byte more', async () => {
  const path = join(dir, 'ten');
  writeFileSync(path, '0123456789');
  assert.equal((await readRegularFile(path, 10)).toString(), '0123456789');
  await assert.rejects(
    readRegularFile(path, 9),
    (e) => e instanceof UserError && /10 bytes/.test(e.message),
  );
  await assert.rejects(readRegularFile('/dev/null', 10), /not a regular file/);
});

test('writeFileReplacing replaces a symlink, leaves its target alone and no temporary file', async () => {
  const target = join(dir, 'target');
  writeFileSync(target, 'untouched');
  const link = join(dir, 'out.json');
  symlinkSync(target, link);
  await writeFileReplacing(link, 'new');
  assert.equal(readFileSync(link, 'utf8'), 'new');
  assert.equal(readFileSync(target, 'utf8'), 'untouched');
  assert.deepEqual(readdirSync(dir).sort(), ['out.json', 'target', 'ten']);
  await assert.rejects(writeFileReplacing(join(dir, 'nope', 'x'), 'x'), /no such directory/);
});
