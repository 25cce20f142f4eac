import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderSvg, type VegaLiteSpec } from '../../src/plot/vegaLite.js';

function lineSpec(points: number): VegaLiteSpec {
  const values = Array.from({ length: points }, (_, i) => ({ index: i, value: 10 ** -i }));
  return {
    data: { values },
    mark: { type: 'point' },
    encoding: {
      x: { field: 'index', type: 'quantitative' },
      y: { field: 'value', type: 'quantitative', scale: { type: 'log' } },
    },
  };
}

describe('renderSvg', () => {
  it('draws one mark per data row into a standalone SVG', async () => {
    for (const points of [3, 7]) {
      const svg = await renderSvg(lineSpec(points));
      assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      // Vega draws each point as a <path> in the mark group whose role is "mark".
      const marks = svg.match(/role-mark[^>]*>(.*?)<\/g>/s)?.[1] ?? '';
      assert.equal((marks.match(/<path/g) ?? []).length, points);
    }
  });

  it('refuses data given by URL instead of fetching it', async () => {
    const spec = { ...lineSpec(1), data: { url: 'https://example.invalid/data.json' } };
    await assert.rejects(renderSvg(spec as VegaLiteSpec), /inline/);
  });
});
