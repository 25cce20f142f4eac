/**
 * The report's three plots as Vega-Lite specifications with inline data, drawn to SVG in Node by
 * `renderSvg`. Log axes cannot show zero, so zero values are left out of the data (the captions
 * count them).
 */
import type { VegaLiteSpec } from '../plot/vegaLite.js';
import type { BasisFractionPoint } from './reportData.js';

/** Plot area in CSS pixels: wide enough for 800 points, short enough to see three at once. */
const WIDTH = 560;
const HEIGHT = 240;

/** Label a tick only when it is a power of ten (Vega expression; `datum.value` is the tick). */
const LOG_LABEL_EXPR =
  'abs(log(datum.value) / LN10 - round(log(datum.value) / LN10)) < 1e-6 ? datum.label : ""';

/** Colours: the recovered span in blue, what lies beyond the rank in grey. */
const SPAN_COLOUR = '#1f5fa8';
const BEYOND_COLOUR = '#9a9a9a';

/** A log axis can show positive, finite values only. */
export function isLogPlottable(value: number): boolean {
  return value > 0 && Number.isFinite(value);
}

/** How many of `values` a log axis leaves out. */
export function countUnplottable(values: readonly number[]): number {
  return values.filter((v) => !isLogPlottable(v)).length;
}

/**
 * A log axis labelled only at powers of ten, in exponent form: the default also labels 2× and
 * 5× ticks and mixes 0.000001 with 1e-7, which is hard to read over many decades.
 */
const LOG_AXIS = { format: '.0e', labelExpr: LOG_LABEL_EXPR } as const;

/** A quantitative y encoding on a log scale. */
function logY(field: string, title: string) {
  return { field, type: 'quantitative', scale: { type: 'log' }, title, axis: LOG_AXIS } as const;
}

const common = {
  width: WIDTH,
  height: HEIGHT,
  background: 'white',
  config: { font: 'sans-serif', axis: { labelFontSize: 11, titleFontSize: 12 } },
} as const;

/** Singular values against their index, log scale, coloured by whether they count in the rank. */
export function spectrumSpec(singularValues: readonly number[], rank: number): VegaLiteSpec {
  const inSpan = `first ${rank} (the rank)`;
  const values = singularValues
    .map((value, i) => ({ index: i + 1, value, part: i < rank ? inSpan : 'beyond the rank' }))
    .filter((d) => isLogPlottable(d.value));
  return {
    ...common,
    data: { values },
    mark: { type: 'point', filled: true, size: 24 },
    encoding: {
      x: { field: 'index', type: 'quantitative', title: 'index i' },
      y: logY('value', 'singular value'),
      color: {
        field: 'part',
        type: 'nominal',
        title: null,
        scale: { domain: [inSpan, 'beyond the rank'], range: [SPAN_COLOUR, BEYOND_COLOUR] },
        legend: { orient: 'top-right' },
      },
    },
  };
}

/** Principal angles to the true first layer, sorted ascending, log scale. */
export function anglesSpec(anglesRad: readonly number[]): VegaLiteSpec {
  const values = [...anglesRad]
    .filter(isLogPlottable)
    .sort((a, b) => a - b)
    .map((angle, i) => ({ index: i + 1, angle }));
  return {
    ...common,
    data: { values },
    mark: { type: 'line', point: { filled: true, size: 20 }, color: SPAN_COLOUR },
    encoding: {
      x: { field: 'index', type: 'quantitative', title: 'principal angle, smallest first' },
      y: logY('angle', 'angle, rad'),
    },
  };
}

/** A quantitative encoding of a share, 0 to 100 %. */
function shareAxis(field: string, title: string) {
  const axis = { format: '.0%' };
  return { field, type: 'quantitative' as const, title, axis, scale: { domain: [0, 1] } };
}

/** Share of labels kept against the share of basis directions used for obfuscation. */
export function basisFractionSpec(points: readonly BasisFractionPoint[]): VegaLiteSpec {
  const values = [...points].sort((a, b) => a.basisFraction - b.basisFraction);
  return {
    ...common,
    data: { values: values.map((p) => ({ ...p })) },
    mark: { type: 'line', point: { filled: true, size: 30 }, color: SPAN_COLOUR },
    encoding: {
      x: shareAxis('basisFraction', 'share of recovered basis directions kept'),
      y: shareAxis('labelKept', 'labels kept after obfuscation'),
    },
  };
}
