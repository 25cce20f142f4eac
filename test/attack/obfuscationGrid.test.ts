import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  GRID_GAP_PX,
  gridSize,
  imageShapeFor,
  MAX_GRID_ROWS,
  obfuscationGrid,
} from '../../src/attack/obfuscationGrid.js';
import { decodeGreyPng, encodeGreyPng } from '../../src/io/png.js';
import { Rng } from '../../src/random/rng.js';

describe('obfuscationGrid', () => {
  it('decodes to the size the layout says, tile pixels where the layout puts them (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(),
        (count, h, w, seed) => {
          const rng = new Rng(seed);
          const columns = [0, 1, 2].map(() => ({
            rows: count,
            cols: h * w,
            data: Float64Array.from({ length: count * h * w }, () => rng.uniform()),
          }));
          const grid = obfuscationGrid(columns, { height: h, width: w }, { lo: 0, hi: 1 });
          const rows = Math.min(count, MAX_GRID_ROWS);
          const decoded = decodeGreyPng(encodeGreyPng(grid), 'grid.png');
          assert.equal(decoded.width, 3 * w + 2 * GRID_GAP_PX);
          assert.equal(decoded.height, rows * h + (rows - 1) * GRID_GAP_PX);
          assert.deepEqual(gridSize(rows, 3, { height: h, width: w }), {
            width: decoded.width,
            height: decoded.height,
          });
          // The last drawn row's last pixel of the third tile, mapped from [0, 1] to 0–255.
          const i = rows - 1;
          const v = columns[2].data[i * h * w + h * w - 1];
          const y = i * (h + GRID_GAP_PX) + h - 1;
          const x = 2 * (w + GRID_GAP_PX) + w - 1;
          assert.equal(grid.pixels[y * grid.width + x], Math.round(255 * v));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('maps the range to black..white and clips outside it', () => {
    const m = { rows: 1, cols: 4, data: Float64Array.from([-1, -1, 1, 3]) };
    const grid = obfuscationGrid([m], { height: 1, width: 4 }, { lo: -1, hi: 1 });
    assert.deepEqual(Array.from(grid.pixels), [0, 0, 255, 255]);
  });

  it('finds tile shapes from the array shape or a perfect square, else none', () => {
    assert.deepEqual(imageShapeFor(784, [5, 784]), { height: 28, width: 28 });
    assert.deepEqual(imageShapeFor(1536, [5, 1, 16, 96]), { height: 16, width: 96 });
    assert.equal(imageShapeFor(40, [5, 40]), null);
  });
});
