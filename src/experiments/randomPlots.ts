import type { VegaLiteSpec } from '../plot/vegaLite.js';
import type { PlotSpec } from './plotSpec.js';
import type { RandomCellResult } from './randomCell.js';
import type { ExperimentMethod } from './randomGrid.js';
import { isFullRecovery } from './randomTables.js';

/**
 * Smallest angle a log-scale plot shows: a run can match the truth to the last bit (angle 0),
 * which a log axis cannot place; float64 recoveries sit at 1e-11 and above.
 */
const ANGLE_FLOOR_RAD = 1e-13;

/** Colour by method, in the experiment's order (so each method keeps its colour across plots). */
const methodColor = (methods: readonly ExperimentMethod[]) =>
  ({ field: 'method', type: 'nominal', scale: { domain: [...methods] }, title: 'method' }) as const;

const WIDTH_AXIS = {
  field: 'width',
  type: 'ordinal',
  title: 'later-layer width',
  axis: { labelAngle: 0 },
} as const;

/** One panel per activation, in the grid's order. */
const BY_ACTIVATION = {
  field: 'activation',
  type: 'nominal',
  sort: ['relu', 'leaky', 'tanh', 'sigmoid'],
  title: null,
} as const;

/** The plots of docs/RESULTS.md, from the runs without dead units. */
export function randomPlots(
  results: readonly RandomCellResult[],
  methods: readonly ExperimentMethod[],
): PlotSpec[] {
  const color = methodColor(methods);
  const plain = results
    .filter((r) => r.deadUnits === 0)
    .map((r) => ({
      activation: r.activation,
      width: r.width,
      method: r.method,
      angle: Math.max(r.maxAngleRad, ANGLE_FLOOR_RAD),
      rankShare: r.rank / r.trueRank,
      queriesOverFloor: r.queriesOverFloor,
      full: isFullRecovery(r),
    }));
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: plain },
    width: 160,
    height: 140,
  } as const;
  /** One panel per activation: a line of the typical run per width, triangles at the worst. */
  const versusWidth = (
    name: string,
    title: string,
    y: { field: string; title: string; log: boolean; typical: string; worst: string },
  ): PlotSpec => ({
    name,
    spec: {
      ...base,
      title,
      facet: { column: BY_ACTIVATION },
      spec: {
        layer: [
          layerOf(LINE, y.typical, y.field, y.title, y.log, color),
          layerOf(WORST, y.worst, y.field, y.title, y.log, color),
        ],
      },
    } as VegaLiteSpec,
  });
  return [
    versusWidth(
      'max-angle-vs-width',
      'Largest principal angle to the true span (median, and the worst run)',
      { field: 'angle', title: 'max angle (rad)', log: true, typical: 'median', worst: 'max' },
    ),
    versusWidth('rank-share-vs-width', 'Recovered ÷ true rank (mean, and the least run)', {
      field: 'rankShare',
      title: 'recovered ÷ true rank',
      log: false,
      typical: 'mean',
      worst: 'min',
    }),
    {
      name: 'queries-over-floor',
      spec: {
        ...base,
        title: 'Queries ÷ floor k(n − k) + k, the fully recovered runs',
        transform: [{ filter: 'datum.full' }],
        facet: { column: BY_ACTIVATION },
        spec: {
          mark: { type: 'boxplot', extent: 'min-max' },
          encoding: {
            x: {
              field: 'method',
              type: 'nominal',
              title: null,
              sort: [...methods],
              axis: { labels: false, ticks: false }, // the legend names the colours
            },
            y: { field: 'queriesOverFloor', type: 'quantitative', title: 'queries ÷ floor' },
            color,
          },
        },
      } as VegaLiteSpec,
    },
  ];
}

function yAxis(field: string, title: string, log: boolean) {
  return log
    ? { field, type: 'quantitative', title, scale: { type: 'log' } }
    : { field, type: 'quantitative', title, scale: { domain: [0, 1.1] } };
}

const LINE = { type: 'line', point: true } as const;
/** Hollow triangles: the worst run, beside the line of the typical one. */
const WORST = { type: 'point', shape: 'triangle-down', filled: false } as const;

/** `mark` at one aggregate of `field` per width and method. */
function layerOf(
  mark: typeof LINE | typeof WORST,
  aggregate: string,
  field: string,
  title: string,
  log: boolean,
  color: ReturnType<typeof methodColor>,
) {
  return {
    mark,
    encoding: { x: WIDTH_AXIS, y: { ...yAxis(field, title, log), aggregate }, color },
  };
}
