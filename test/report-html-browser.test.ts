import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers/cli.js';
import { demo, ROOT } from './helpers/demo.js';

// The HTML report in a real browser: Debian's chromium (CI installs it, see .ci/run), driven by
// playwright-core, which downloads no browser of its own. Without it the test is skipped, saying so.
const CHROMIUM = process.env.RETENTION_TEST_CHROMIUM ?? '/usr/bin/chromium';
const AS_OF = '2026-11-24T00:00:00+01:00';
const name = 'the HTML report in headless Chromium';

interface Bucket {
  start: string;
  delete: number;
  redact: number;
  rules: { policy: string; rule: string; delete: number; redact: number }[];
}
interface Dataset {
  dataset: string;
  [count: string]: unknown;
  forecast: { buckets: Bucket[] };
}

if (process.env.RETENTION_TEST_CHROMIUM && !existsSync(CHROMIUM)) {
  // CI names the browser it installed: there a missing one is a failure, never a skip.
  describe(name, () => {
    it('finds the Chromium that RETENTION_TEST_CHROMIUM names', () => {
      expect(existsSync(CHROMIUM), `RETENTION_TEST_CHROMIUM=${CHROMIUM} does not exist`).toBe(true);
    });
  });
} else if (!existsSync(CHROMIUM)) {
  console.warn(`skipped: ${name} (no Chromium at ${CHROMIUM}: install Debian's chromium package, as .ci/run does)`);
  describe.skip(name, () => {
    it('opens the page', () => {});
  });
} else {
  describe(name, () => {
    let browser: Browser;
    let dir: string;
    let file: string;
    let datasets: Dataset[];
    beforeAll(async () => {
      dir = tempDir();
      const { db } = demo();
      const args = ['report', '--policy', join(ROOT, 'policies'), '--source', db, '--as-of', AS_OF, '--log-level', 'error'];
      const html = await cli([...args, '--format', 'html', '--horizon', '13', 'weeks']);
      expect(html.code, html.stderr).toBe(0);
      file = join(dir, 'report.html');
      writeFileSync(file, html.stdout);
      datasets = JSON.parse((await cli([...args, '--format', 'json', '--horizon', '13', 'weeks'])).stdout).datasets;
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    }, 240_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('loads with no console error and no request leaving the page; bars and numbers are the JSON report', async () => {
      // No network: every request but the page's own file is aborted, and all are recorded.
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: true });
      const url = pathToFileURL(file).href;
      const requests: string[] = [];
      await context.route('**/*', (route) => {
        requests.push(route.request().url());
        return route.request().url() === url ? route.continue() : route.abort();
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
      await page.goto(url, { waitUntil: 'load' });
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);

      const inPage = await page.evaluate(() =>
        [...document.querySelectorAll('section.dataset')].map((s) => ({
          dataset: s.getAttribute('data-dataset'),
          counts: Object.fromEntries(
            [...s.querySelectorAll('table.counts td[data-count]')].map((td) => [td.getAttribute('data-count'), Number(td.textContent)]),
          ),
          bars: [...s.querySelectorAll('svg.chart g.bar')].map((g) => ({
            start: g.getAttribute('data-start'),
            delete: Number(g.getAttribute('data-delete')),
            redact: Number(g.getAttribute('data-redact')),
            parts: [...g.querySelectorAll('rect')].map(
              (r) => `${r.getAttribute('data-rule')} ${r.getAttribute('data-action')} ${r.getAttribute('data-count')}`,
            ),
            height: [...g.querySelectorAll('rect')].reduce((h, r) => h + r.getBoundingClientRect().height, 0),
          })),
          table: [...s.querySelectorAll('table.forecast tbody tr')].map((tr) =>
            [...tr.querySelectorAll('td')].slice(0, 2).map((td) => Number(td.textContent)),
          ),
          summary: Object.fromEntries(
            [...document.querySelectorAll(`#summary-table tr[data-dataset="${s.getAttribute('data-dataset')}"] td[data-count]`)].map(
              (td) => [td.getAttribute('data-count'), Number(td.textContent)],
            ),
          ),
        })),
      );
      expect(inPage.map((s) => s.dataset)).toEqual(datasets.map((d) => d.dataset));
      let drawn = 0;
      for (const d of datasets) {
        const s = inPage.find((x) => x.dataset === d.dataset);
        if (!s) throw new Error(d.dataset);
        const counts = Object.fromEntries(['delete', 'redact', 'keep', 'held', 'invalid', 'unmanaged'].map((c) => [c, d[c]]));
        expect(s.counts, d.dataset).toEqual(counts);
        expect(s.summary, d.dataset).toEqual(counts);
        // One bar group per week of the horizon, each the JSON bucket, its parts the bucket's rules.
        expect(s.bars.length, d.dataset).toBe(13);
        expect(
          s.bars.map((b) => ({ start: b.start, delete: b.delete, redact: b.redact, parts: b.parts })),
          d.dataset,
        ).toEqual(
          d.forecast.buckets.map((b) => ({
            start: b.start,
            delete: b.delete,
            redact: b.redact,
            parts: b.rules.flatMap((x) =>
              (['delete', 'redact'] as const).flatMap((a) => (x[a] ? [`${x.policy}/${x.rule} ${a} ${x[a]}`] : [])),
            ),
          })),
        );
        expect(s.table, d.dataset).toEqual(d.forecast.buckets.map((b) => [b.delete, b.redact]));
        // A bar with records is drawn (it has height on the screen); one without is not.
        for (const b of s.bars) expect(b.height > 0, `${d.dataset} ${b.start}`).toBe(b.delete + b.redact > 0);
        drawn += s.bars.filter((b) => b.height > 0).length;
      }
      expect(drawn).toBeGreaterThan(50);
      const shot = join(dir, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      await context.close();
    }, 120_000);

    it('reflows at 200% zoom: nothing wider than the window but inside its own scroll box', async () => {
      const context = await browser.newContext({ viewport: { width: 640, height: 450 }, deviceScaleFactor: 2, offline: true });
      const page = await context.newPage();
      await page.goto(pathToFileURL(file).href);
      const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
      expect(widths.page).toBeLessThanOrEqual(widths.window);
      await page.screenshot({ path: join(dir, 'report-200.png') });
      await context.close();
    }, 120_000);
  });
}
