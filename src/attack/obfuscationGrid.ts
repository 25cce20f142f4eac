/**
 * The picture of an obfuscation: one row per input, three tiles (original | obfuscated | plain
 * noise), each tile shaped as the image, values mapped from a fixed range to grey levels.
 */
import { row, type Matrix } from '../linalg/matrix.js';
import type { GreyImage } from '../io/png.js';

/** Pixels between tiles, and the gap's grey level (mid-grey: visible against black and white). */
export const GRID_GAP_PX = 2;
const GAP_GREY = 128;

/** At most this many inputs are drawn (the first ones): a grid of thousands helps nobody. */
export const MAX_GRID_ROWS = 32;

/** Height × width of one tile. */
export interface ImageShape {
  readonly height: number;
  readonly width: number;
}

/** The grid's size in pixels for `rows` inputs and `columns` tiles each. */
export function gridSize(
  rows: number,
  columns: number,
  tile: ImageShape,
): { width: number; height: number } {
  return {
    width: columns * tile.width + (columns - 1) * GRID_GAP_PX,
    height: rows * tile.height + (rows - 1) * GRID_GAP_PX,
  };
}

/**
 * Lay out the first `min(rows, MAX_GRID_ROWS)` rows of each matrix side by side.
 * @param columns - equally sized matrices (`count × height·width`), one per tile column.
 * @param range - values at `lo` become black, at `hi` white; outside it they are clipped.
 */
export function obfuscationGrid(
  columns: readonly Matrix[],
  tile: ImageShape,
  range: { lo: number; hi: number },
): GreyImage {
  const rows = Math.min(columns[0].rows, MAX_GRID_ROWS);
  const { width, height } = gridSize(rows, columns.length, tile);
  const pixels = new Uint8Array(width * height).fill(GAP_GREY);
  const toGrey = (v: number): number =>
    Math.round(255 * Math.min(1, Math.max(0, (v - range.lo) / (range.hi - range.lo))));
  for (let i = 0; i < rows; i++) {
    columns.forEach((m, c) => {
      const values = row(m, i);
      const top = i * (tile.height + GRID_GAP_PX);
      const left = c * (tile.width + GRID_GAP_PX);
      for (let y = 0; y < tile.height; y++) {
        for (let x = 0; x < tile.width; x++) {
          pixels[(top + y) * width + left + x] = toGrey(values[y * tile.width + x]);
        }
      }
    });
  }
  return { width, height, pixels };
}

/**
 * The tile shape for inputs of `n` values: the trailing two axes of the input array's shape
 * when they hold all n values (`[count, 28, 28]`, `[count, 1, 28, 28]`), else a square when n
 * is a perfect square; `null` when neither applies.
 */
export function imageShapeFor(n: number, arrayShape: readonly number[]): ImageShape | null {
  if (arrayShape.length >= 3) {
    const [height, width] = arrayShape.slice(-2);
    if (height * width === n) return { height, width };
  }
  const side = Math.round(Math.sqrt(n));
  return side * side === n ? { height: side, width: side } : null;
}
