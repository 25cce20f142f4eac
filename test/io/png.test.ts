import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { decodeGreyPng, encodeGreyPng, readGreyPng, writeGreyPng } from '../../src/io/png.js';
import { UserError } from '../../src/errors.js';
import { tempDir } from '../helpers.js';

const image = fc
  .record({ width: fc.integer({ min: 1, max: 20 }), height: fc.integer({ min: 1, max: 20 }) })
  .chain(({ width, height }) =>
    fc
      .uint8Array({ minLength: width * height, maxLength: width * height })
      .map((pixels) => ({ width, height, pixels })),
  );

describe('greyscale PNG', () => {
  it('round trips: decoded size equals, values are the grey levels / 255 in [0, 1] (property)', () => {
    fc.assert(
      fc.property(image, (im) => {
        const back = decodeGreyPng(encodeGreyPng(im), 'test.png');
        assert.equal(back.width, im.width);
        assert.equal(back.height, im.height);
        assert.deepEqual(
          Array.from(back.values),
          Array.from(im.pixels, (v) => v / 255),
        );
        assert.ok(back.values.every((v) => v >= 0 && v <= 1));
      }),
    );
  });

  it('writes and reads files', async () => {
    const path = join(tempDir(), 'a.png');
    await writeGreyPng(path, {
      width: 3,
      height: 2,
      pixels: Uint8Array.from([0, 255, 51, 102, 153, 204]),
    });
    const back = await readGreyPng(path);
    assert.deepEqual(Array.from(back.values), [0, 1, 0.2, 0.4, 0.6, 0.8]);
  });

  it('refuses colour pixels and non-PNG bytes with one-line UserErrors', () => {
    const png = new PNG({ width: 2, height: 1 });
    png.data.set([10, 10, 10, 255, 200, 0, 0, 255]);
    assert.throws(
      () => decodeGreyPng(PNG.sync.write(png), 'red.png'),
      (e) => e instanceof UserError && /red\.png: pixel \(1, 0\) has colour/.test(e.message),
    );
    assert.throws(
      () => decodeGreyPng(Buffer.from('hello'), 'x.png'),
      (e) => e instanceof UserError && /x\.png: not a readable PNG/.test(e.message),
    );
  });
});
