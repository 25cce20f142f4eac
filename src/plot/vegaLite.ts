import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export type { TopLevelSpec as VegaLiteSpec } from 'vega-lite';

/**
 * Render a Vega-Lite specification to a standalone SVG string, in Node, with no browser and no
 * network: the data must be inline (`data.values`); a spec that names a URL is refused rather
 * than fetched, since users behind firewalls (and CI) cannot reach one.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  if (namesUrl(spec))
    throw new Error('renderSvg: plot data must be inline (data.values), not a URL');
  const compiled = compile(spec).spec;
  // `renderer: 'none'`: no canvas; text widths are estimated, which is fine for SVG output.
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** True when any `data` object in the spec (at any depth) has a `url`. */
function namesUrl(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(namesUrl);
  const record = node as Record<string, unknown>;
  if ('url' in record && typeof record.url === 'string') return true;
  return Object.values(record).some(namesUrl);
}
