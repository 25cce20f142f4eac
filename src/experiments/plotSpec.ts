import type { VegaLiteSpec } from '../plot/vegaLite.js';

/** A plot of an experiment: its file name (without .svg) and its Vega-Lite specification. */
export interface PlotSpec {
  readonly name: string;
  readonly spec: VegaLiteSpec;
}
