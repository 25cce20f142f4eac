import type { Matrix } from '../../src/linalg/matrix.js';
import type { Rng } from '../../src/random/rng.js';

/**
 * `count` seeded digit-like images of `side × side` pixels in [0, 1]: a dark background with
 * three bright Gaussian blobs each, so that pixels correlate the way strokes do.
 */
export function blobImages(count: number, side: number, rng: Rng): Matrix {
  const n = side * side;
  const data = new Float64Array(count * n);
  for (let i = 0; i < count; i++) {
    for (let b = 0; b < 3; b++) {
      const [cy, cx] = [rng.uniform() * side, rng.uniform() * side];
      const radius = side / 6;
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const d2 = ((y - cy) ** 2 + (x - cx) ** 2) / (radius * radius);
          data[i * n + y * side + x] += Math.exp(-d2);
        }
      }
    }
  }
  for (let t = 0; t < data.length; t++) data[t] = Math.min(1, data[t]);
  return { rows: count, cols: n, data };
}
