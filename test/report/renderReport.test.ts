import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Rng } from '../../src/random/rng.js';
import { escapeHtml } from '../../src/report/html.js';
import { pngDataUrl } from '../../src/report/figures.js';
import { FIGURE_IDS, renderReport } from '../../src/report/renderReport.js';
import type { ReportData } from '../../src/report/reportData.js';
import { writeReport } from '../../src/report/writeReport.js';
import { tempDir } from '../helpers.js';
import { sampleReportData, samplePng } from './sampleReport.js';

const full = sampleReportData();
/** Only what every report has: the title and the recovery. */
const minimal: ReportData = { title: full.title, recovery: full.recovery };

/** The `<figure id=…>…</figure>` block with that id, or undefined. */
function figureHtml(html: string, id: string): string | undefined {
  return html.match(new RegExp(`<figure id="${id}">(.*?)</figure>`, 's'))?.[1];
}

/** Every value of a `src` or `href` attribute (any namespace prefix, either quote). */
function linkTargets(html: string): string[] {
  return [...html.matchAll(/(?:^|[\s<])(?:[\w-]+:)?(?:src|href)\s*=\s*["']?([^"'\s>]*)/gi)].map(
    (m) => m[1],
  );
}

/** Text as the browser shows it, for the five entities escapeHtml writes. */
function unescapeHtml(html: string): string {
  const entities: Record<string, string> = {
    '&lt;': '<',
    '&gt;': '>',
    '&quot;': '"',
    '&#39;': "'",
    '&amp;': '&',
  };
  return html.replace(/&(lt|gt|quot|#39|amp);/g, (e) => entities[e]);
}

const ALL_FIGURES = [
  FIGURE_IDS.spectrum,
  FIGURE_IDS.angles,
  FIGURE_IDS.grid(0),
  FIGURE_IDS.grid(1),
  FIGURE_IDS.basisFraction,
];
const OPTIONAL_SECTIONS = ['truth', 'obfuscation', 'truncated-basis'];

describe('renderReport', () => {
  it('shows every section, figure and table when all data is given', async () => {
    const html = await renderReport(full);
    for (const id of ['recovery', ...OPTIONAL_SECTIONS])
      assert.match(html, new RegExp(`<section id="${id}">`));
    for (const id of ALL_FIGURES) {
      const body = figureHtml(html, id);
      assert.ok(body, `figure ${id} missing`);
      assert.match(body, /<svg |<img /, `figure ${id} has no picture`);
      assert.match(body, /<figcaption>[^<]{80,}<\/figcaption>/, `figure ${id} has no caption`);
    }
    for (const id of ['recovery-table', 'obfuscation-table-1', 'obfuscation-table-2']) {
      assert.match(html, new RegExp(`<table id="${id}">`));
    }
    assert.match(html, /queries ÷ floor<\/th><td>1\.86×/); // 4731 / 2550
    assert.match(html, /plain noise, same norm/);
  });

  it('leaves out every optional section, figure and row when its data is missing', async () => {
    for (const data of [
      minimal,
      { ...minimal, trueAnglesRad: [], obfuscations: [], labelKeptByBasisFraction: [] },
    ]) {
      const html = await renderReport(data);
      assert.ok(figureHtml(html, FIGURE_IDS.spectrum));
      for (const id of ALL_FIGURES.slice(1)) assert.equal(figureHtml(html, id), undefined, id);
      for (const id of OPTIONAL_SECTIONS) assert.doesNotMatch(html, new RegExp(`id="${id}"`));
      assert.doesNotMatch(html, /<img |floor|obfuscat/i);
    }
  });

  it('colours exactly `rank` points of the spectrum as the span, the rest as beyond it', async () => {
    for (const rank of [0, 3, 7]) {
      const recovery = { ...minimal.recovery, rank, singularValues: [5, 4, 3, 2, 1, 1e-9, 1e-10] };
      const figure = figureHtml(await renderReport({ ...minimal, recovery }), FIGURE_IDS.spectrum);
      const points = (fill: string) =>
        (figure?.match(new RegExp(`roledescription="point"[^>]*fill="${fill}"`, 'g')) ?? []).length;
      assert.equal(points('#1f5fa8'), rank);
      assert.equal(points('#9a9a9a'), 7 - rank);
    }
  });

  it('leaves zeros off the log axes and says how many it left out', async () => {
    const recovery = { ...minimal.recovery, rank: 2, singularValues: [2, 1, 0, 0] };
    const html = await renderReport({ ...minimal, recovery, trueAnglesRad: [0, 1e-9] });
    const spectrum = figureHtml(html, FIGURE_IDS.spectrum) ?? '';
    assert.equal((spectrum.match(/roledescription="point"[^>]*fill="#9a9a9a"/g) ?? []).length, 0);
    assert.match(spectrum, /2 zero or non-finite value\(s\) are not drawn/);
    assert.match(figureHtml(html, FIGURE_IDS.angles) ?? '', /1 zero or non-finite value\(s\)/);
  });

  it('shows hostile text as text: a <script> title is escaped, never run', async () => {
    const title = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';
    const runs = full.obfuscations?.map((r) => ({ ...r, name: `"><script>bad()</script>` }));
    const html = await renderReport({ ...full, title, obfuscations: runs });
    // The words may stay (as text); no tag may open.
    assert.doesNotMatch(html, /<script|<img src=x/i);
    const h1 = html.match(/<h1>(.*?)<\/h1>/s)?.[1] ?? '';
    assert.equal(unescapeHtml(h1), title);
    assert.equal(unescapeHtml(html.match(/<title>(.*?)<\/title>/s)?.[1] ?? ''), title);
  });

  it('names no outside resource: every src/href is a data: URL, http only in XML namespaces', async () => {
    const html = await renderReport(full);
    const targets = linkTargets(html);
    assert.equal(targets.length, 2, 'the two grid images');
    for (const t of targets) assert.match(t, /^data:image\/png;base64,/);
    const webAddresses = html.match(/https?:\/\/[^"'\s)]*/g) ?? [];
    for (const a of webAddresses)
      assert.match(a, /^http:\/\/www\.w3\.org\/(2000\/svg|1999\/xlink)$/);
    assert.doesNotMatch(html, /url\(|@import/);
  });

  it('inlines each grid image as base64 that decodes to the very same PNG bytes', async () => {
    const html = await renderReport(full);
    const srcs = linkTargets(html);
    const pngs = (full.obfuscations ?? []).map((r) => r.gridPng);
    assert.equal(srcs.length, pngs.length);
    srcs.forEach((src, i) => {
      const decoded = Buffer.from(src.replace(/^data:image\/png;base64,/, ''), 'base64');
      assert.deepEqual(new Uint8Array(decoded), pngs[i]);
    });
  });

  it('gives every element a unique id (several inline SVGs share one document)', async () => {
    const ids = [...(await renderReport(full)).matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]);
    assert.ok(ids.length >= 10);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('refuses image bytes that are not a PNG', () => {
    assert.throws(() => pngDataUrl(new TextEncoder().encode('GIF89a...')), /not a PNG/);
    assert.match(pngDataUrl(samplePng(1, new Rng(1))), /^data:image\/png;base64,iVBORw0KGgo/);
  });
});

/** Text pieces: markup characters and entity look-alikes often, any other character too. */
const markupOrAny = fc.oneof(
  fc.constantFrom('<', '>', '"', "'", '&', '&lt;', '&amp;', '&#39;'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

describe('escapeHtml', () => {
  it('leaves no markup character and undoes exactly', () => {
    fc.assert(
      fc.property(fc.string({ unit: markupOrAny }), (text) => {
        const escaped = escapeHtml(text);
        assert.doesNotMatch(escaped, /[<>"']/);
        assert.equal(unescapeHtml(escaped), text);
      }),
    );
  });
});

describe('writeReport', () => {
  const dir = tempDir();

  it('writes the rendered report, replacing (not following) a symlink at the path', async () => {
    const target = join(dir, 'elsewhere.txt');
    writeFileSync(target, 'untouched');
    const path = join(dir, 'report.html');
    symlinkSync(target, path);
    await writeReport(path, minimal);
    assert.equal(readFileSync(path, 'utf8'), await renderReport(minimal));
    assert.equal(readFileSync(target, 'utf8'), 'untouched');
    await assert.rejects(
      writeReport(join(dir, 'missing', 'report.html'), minimal),
      /no such directory/,
    );
  });
});
