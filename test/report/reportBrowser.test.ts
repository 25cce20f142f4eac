/**
 * The report in a real browser: Debian's chromium, driven by playwright-core (no Playwright
 * browser download). Checks what string tests cannot: that the page loads without errors or
 * outside requests and that every plot and image actually renders.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { FIGURE_IDS, renderReport } from '../../src/report/renderReport.js';
import { tempDir } from '../helpers.js';
import { sampleReportData } from './sampleReport.js';

const CHROMIUM = '/usr/bin/chromium';
/** Launching chromium and loading a page take about a second; this leaves room on a slow CI. */
const BROWSER_TIMEOUT_MS = 20_000;

interface FigureSeen {
  id: string;
  /** 'svg', 'img' or 'none': what the figure shows. */
  kind: string;
  width: number;
  height: number;
  /** The image's decoded width (0 when it failed to load); null for a plot. */
  naturalWidth: number | null;
}

interface PageSeen {
  /** Console errors and uncaught page errors. */
  errors: string[];
  /** Requests for anything but the report file and data: URLs. */
  outsideRequests: string[];
  figures: FigureSeen[];
}

async function inspect(browser: Browser, path: string): Promise<PageSeen> {
  const page = await browser.newPage();
  const seen: PageSeen = { errors: [], outsideRequests: [], figures: [] };
  page.on('console', (m) => m.type() === 'error' && seen.errors.push(m.text()));
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('request', (r) => {
    if (!/^(file|data):/.test(r.url())) seen.outsideRequests.push(r.url());
  });
  await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
  seen.figures = await page.evaluate(() =>
    [...document.querySelectorAll('figure')].map((f) => {
      const svg = f.querySelector('svg');
      const img = f.querySelector('img');
      const box = (svg ?? img)?.getBoundingClientRect();
      return {
        id: f.id,
        kind: svg ? 'svg' : img ? 'img' : 'none',
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        naturalWidth: img ? img.naturalWidth : null,
      };
    }),
  );
  await page.close();
  return seen;
}

describe('the report in chromium', { timeout: BROWSER_TIMEOUT_MS }, () => {
  const dir = tempDir();
  let launched: Promise<Browser> | undefined;

  /** The browser, launched on first use; inside each test, so a missing chromium fails them. */
  function browser(): Promise<Browser> {
    if (!existsSync(CHROMIUM)) {
      assert.fail(
        `${CHROMIUM} not found: the browser tests need Debian's chromium (apt-get install -y chromium)`,
      );
    }
    launched ??= chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    return launched;
  }
  after(async () => {
    await (await launched)?.close();
  });

  it('loads without errors or outside requests, and draws every plot and image', async () => {
    const path = join(dir, 'report.html');
    writeFileSync(path, await renderReport(sampleReportData()));
    const seen = await inspect(await browser(), path);
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(seen.outsideRequests, []);
    const expected = [
      FIGURE_IDS.spectrum,
      FIGURE_IDS.angles,
      FIGURE_IDS.grid(0),
      FIGURE_IDS.grid(1),
      FIGURE_IDS.basisFraction,
    ];
    assert.deepEqual(seen.figures.map((f) => f.id).sort(), [...expected].sort());
    for (const f of seen.figures) {
      assert.ok(f.width > 0 && f.height > 0, `${f.id}: drawn ${f.width}×${f.height}`);
      assert.equal(f.kind, f.id.startsWith('obfuscation-grid') ? 'img' : 'svg', f.id);
      if (f.kind === 'img') assert.ok((f.naturalWidth ?? 0) > 0, `${f.id}: image did not load`);
    }
  });

  it('notices what it checks for: a broken image, an outside request, a script error', async () => {
    // Control: the same inspection on a page with each fault must report each one.
    const path = join(dir, 'broken.html');
    writeFileSync(
      path,
      '<figure id="bad"><img src="data:image/png;base64,iVBORw0KGgoAAAA="></figure>' +
        '<img src="http://127.0.0.1:9/x.png"><script>undefinedFunction()</script>',
    );
    const seen = await inspect(await browser(), path);
    assert.deepEqual(seen.outsideRequests, ['http://127.0.0.1:9/x.png']);
    assert.ok(
      seen.errors.some((e) => /undefinedFunction/.test(e)),
      seen.errors.join('\n'),
    );
    assert.equal(seen.figures[0].naturalWidth, 0);
  });
});
