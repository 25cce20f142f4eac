import type { VegaLiteSpec } from '../plot/vegaLite.js';
import { OBFUSCATION_VARIANTS, type MnistCellResult } from './mnistCell.js';
import { meanObfuscation, PLAIN_NOISE, sourceLabel, sourcesOf } from './mnistTables.js';
import type { PlotSpec } from './plotSpec.js';

/**
 * Smallest angle the log-scale plot shows: a direction can match the truth to the last bit
 * (angle 0), which a log axis cannot place; float64 recoveries sit at 1e-11 and above.
 */
const ANGLE_FLOOR_RAD = 1e-13;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** The plots of the experiment's section of docs/RESULTS.md. */
export function mnistPlots(results: readonly MnistCellResult[]): PlotSpec[] {
  const sources = [...sourcesOf(results), PLAIN_NOISE].map(sourceLabel);
  const kept = OBFUSCATION_VARIANTS.flatMap((variant) =>
    meanObfuscation(results, variant).map((m) => ({
      variant: variant === 'box' ? 'pixels in [0, 1]' : 'unbounded',
      scale: m.scale,
      source: sourceLabel(m.source),
      labelKept: m.labelKept,
    })),
  );
  const angles = results.flatMap((r) =>
    (r.recovery?.anglesRad ?? []).map((a, i) => ({
      run: `${r.source} seed ${r.seed}`,
      access: r.source,
      index: i + 1,
      angle: Math.max(a, ANGLE_FLOOR_RAD),
    })),
  );
  return [
    {
      name: 'obfuscation-label-kept',
      spec: {
        $schema: SCHEMA,
        title: 'Label kept vs noise scale, by the basis the noise avoids (mean over seeds)',
        data: { values: kept },
        width: 260,
        height: 180,
        facet: {
          column: {
            field: 'variant',
            type: 'nominal',
            sort: ['unbounded', 'pixels in [0, 1]'],
            title: null,
          },
        },
        spec: {
          mark: { type: 'line', point: true },
          encoding: {
            x: {
              field: 'scale',
              type: 'quantitative',
              // the scales run, not the decades around them
              scale: { type: 'log', nice: false, domain: scaleRange(kept.map((k) => k.scale)) },
              title: 'noise norm ÷ digit norm',
            },
            y: {
              field: 'labelKept',
              type: 'quantitative',
              scale: { domain: [0, 1] },
              title: 'label kept',
            },
            color: { field: 'source', type: 'nominal', scale: { domain: sources }, title: null },
            // Exact spans keep the same labels: their lines coincide, their point shapes differ.
            shape: { field: 'source', type: 'nominal', scale: { domain: sources }, title: null },
          },
        },
      } as VegaLiteSpec,
    },
    {
      name: 'principal-angles',
      spec: {
        $schema: SCHEMA,
        title: 'Principal angles to the true first layer, ascending, one line per run',
        data: { values: angles },
        width: 420,
        height: 220,
        mark: { type: 'line' },
        encoding: {
          x: { field: 'index', type: 'quantitative', title: 'angle number' },
          y: {
            field: 'angle',
            type: 'quantitative',
            scale: { type: 'log' },
            title: 'principal angle (rad)',
          },
          color: { field: 'access', type: 'nominal', title: 'access' },
          detail: { field: 'run', type: 'nominal' },
        },
      } as VegaLiteSpec,
    },
  ];
}

/** Smallest and largest scale, or a unit range when there is none. */
function scaleRange(scales: number[]): [number, number] {
  return scales.length === 0 ? [1, 10] : [Math.min(...scales), Math.max(...scales)];
}
