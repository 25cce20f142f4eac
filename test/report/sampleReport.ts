/** A report's data as a demo would give it, drawn from a seed (numbers shaped like a real run). */
import { PNG } from 'pngjs';
import { Rng } from '../../src/random/rng.js';
import type { ObfuscationSection, ReportData } from '../../src/report/reportData.js';

/** Side of one MNIST-sized tile of the sample grid, pixels. */
const TILE = 28;

/** A grey PNG of `rows` rows of three tiles (original | obfuscated | noise), from `rng`. */
export function samplePng(rows: number, rng: Rng): Uint8Array {
  const png = new PNG({ width: 3 * TILE, height: rows * TILE });
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      // A ring ("0") in the first column, noise around it in the others.
      const [cx, cy] = [(x % TILE) - TILE / 2, (y % TILE) - TILE / 2];
      const ring = Math.abs(Math.hypot(cx, cy) - 8) < 2.5 ? 1 : 0;
      const noise = x < TILE ? 0 : 0.4 * rng.gaussian();
      const grey = Math.round(255 * Math.min(1, Math.max(0, ring + noise)));
      png.data.set([grey, grey, grey, 255], 4 * (y * png.width + x));
    }
  }
  return new Uint8Array(PNG.sync.write(png));
}

function sampleRun(name: string, box: [number, number] | null, rng: Rng): ObfuscationSection {
  return {
    name,
    summary: {
      count: 4,
      scale: 3,
      box,
      labelKept: 1,
      maxOutputChange: 2.1e-6,
      meanCorrelation: 0.31,
      meanPsnr: 6.2,
      baseline: { labelKept: 0.5, meanCorrelation: 0.33, meanPsnr: 6.1 },
    },
    gridPng: samplePng(4, rng),
  };
}

/** Every section filled: rank 50 of n = 100, a clear spectral gap, tiny angles to the truth. */
export function sampleReportData(seed = 1): ReportData {
  const rng = new Rng(seed);
  const rank = 50;
  const signal = Array.from({ length: rank }, (_, i) => 5 * 0.95 ** i);
  const noise = Array.from({ length: 50 }, (_, i) => 1e-10 * 0.9 ** i);
  return {
    title: 'spanrec demo: a random ReLU network (n = 100, k = 50)',
    recovery: {
      rank,
      inputDim: 100,
      queries: 4731,
      method: 'adaptive',
      access: 'scores',
      complete: true,
      singularValues: [...signal, ...noise],
      certificate: {
        verdict: 'complete',
        maxChange: 5.9e-10,
        relativeChange: 1.7e-10,
        queries: 24,
      },
      seconds: 1.234,
    },
    trueAnglesRad: Array.from({ length: rank }, () => 1e-11 * Math.exp(2 * rng.gaussian())),
    queryFloor: rank * (100 - rank) + rank,
    obfuscations: [sampleRun('unbounded', null, rng), sampleRun('pixels in [0, 1]', [0, 1], rng)],
    labelKeptByBasisFraction: [0.25, 0.5, 0.75, 0.9, 1].map((basisFraction) => ({
      basisFraction,
      labelKept: basisFraction === 1 ? 1 : 0.1 + 0.5 * basisFraction ** 3,
    })),
  };
}
