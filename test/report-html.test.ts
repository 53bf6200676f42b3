import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, sqliteTable, tempDir, write } from './helpers/cli.js';
import { demo, ROOT } from './helpers/demo.js';

const AS_OF = '2026-11-24T00:00:00+01:00';

const POLICY = `version: 1
name: shop
title: "Shop <b>privacy</b> & \\"terms\\""
timezone: Europe/Amsterdam
datasets:
  orders: { key: id }
rules:
  - id: details
    dataset: orders
    from: placed_at
    redact_after: 3 months
    redact: [address]
    cite: "Adresgegevens bewaren wij drie maanden <script>alert(1)</script>"
  - { id: orders, dataset: orders, from: placed_at, delete_after: 1 year, cite: "Orders: één jaar & niet langer" }
`;

function rows(n: number) {
  const t0 = Date.parse(AS_OF);
  return Array.from({ length: n }, (_, i) => ({
    id: `order-${100000 + i}`,
    placed_at: new Date(t0 - ((i * 7919) % 420) * 86_400_000 - (i % 86_400) * 1000).toISOString(),
    address: `Secret street ${i}`,
  }));
}

describe('report --format html', () => {
  const dir = tempDir();
  const policy = write(dir, 'shop.yaml', POLICY);

  it('is one self-contained page: no script, nothing fetched, every text from policies escaped', async () => {
    const db = sqliteTable(join(dir, 'small.db'), 'orders', rows(300));
    const r = await cli(['report', '--policy', policy, '--source', db, '--as-of', AS_OF, '--format', 'html']);
    expect(r.code, r.stderr).toBe(0);
    const html = r.stdout;
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*(?!["']?#)/i);
    expect(html).not.toMatch(/url\(|@import/i);
    expect(html).toContain('Adresgegevens bewaren wij drie maanden &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Shop &lt;b&gt;privacy&lt;/b&gt; &amp; &quot;terms&quot;');
    expect(html).toContain('Orders: één jaar &amp; niet langer');
    // asOf, source and the policy's content hash are stated; the default forecast is 13 weeks.
    expect(html).toContain('2026-11-24 00:00 +01:00');
    expect(html).toContain(db.split('/').pop());
    const json = JSON.parse(
      (await cli(['report', '--policy', policy, '--source', db, '--as-of', AS_OF, '--format', 'json', '--horizon', '13 weeks'])).stdout,
    );
    expect(html).toMatch(/<code class="hash">[0-9a-f]{64}<\/code>/);
    expect((html.match(/<g class="bar"/g) ?? []).length).toBe(13);
    for (const b of json.datasets[0].forecast.buckets)
      expect(html).toContain(`<g class="bar" data-start="${b.start}" data-delete="${b.delete}" data-redact="${b.redact}">`);
    // Accessible: headings in order, table headers with scope, the chart an image with a text alternative.
    expect(html).toMatch(/<h1>Retention report<\/h1>/);
    expect(html).toMatch(/<svg class="chart"[^>]*role="img"[^>]*aria-labelledby="[^"]+-title [^"]+-desc"/);
    expect(html).toMatch(/<th scope="col">Delete<\/th>/);
    expect(html).toContain('<h2 id="schedule">Retention schedule</h2>');
  });

  it('holds aggregates only: 50 times the records, the same page but for the numbers, and no record in it', async () => {
    const small = sqliteTable(join(dir, 'a.db'), 'orders', rows(200));
    const large = sqliteTable(join(dir, 'b.db'), 'orders', rows(10_000));
    const page = async (db: string) =>
      (await cli(['report', '--policy', policy, '--source', db, '--as-of', AS_OF, '--format', 'html', '--horizon', '26 weeks'])).stdout;
    const a = await page(small);
    const b = await page(large);
    expect(Math.abs(b.length - a.length)).toBeLessThan(1000);
    expect(b).not.toMatch(/order-1\d{5}|Secret street/);
    const digits = (s: string) => s.replace(/\d+/g, '0').replace(/[ab]\.db/g, '');
    expect(digits(b)).toBe(digits(a));
  });

  it('works for the five shipped policies on the demo data: a section and a chart for every dataset', async () => {
    const { db } = demo();
    const args = ['report', '--policy', join(ROOT, 'policies'), '--source', db, '--as-of', AS_OF, '--log-level', 'error'];
    const html = (await cli([...args, '--format', 'html'])).stdout;
    const json = JSON.parse((await cli([...args, '--format', 'json', '--horizon', '13', 'weeks'])).stdout);
    expect(json.datasets.length).toBeGreaterThan(20);
    for (const p of ['belcentrale', 'belco', 'belfabriek', 'ip-central', 'voips']) expect(html).toContain(`<th scope="row">${p}</th>`);
    for (const d of json.datasets) {
      expect(html).toContain(`<section aria-labelledby="ds-${d.dataset}" class="dataset" data-dataset="${d.dataset}">`);
      expect(html).toContain(
        `<tr data-dataset="${d.dataset}"><th scope="row"><a href="#ds-${d.dataset}">${d.dataset}</a></th>${['delete', 'redact', 'keep', 'held', 'invalid', 'unmanaged'].map((c) => `<td data-count="${c}">${d[c]}</td>`).join('')}`,
      );
    }
    expect((html.match(/<svg class="chart"/g) ?? []).length).toBe(json.datasets.length);
    expect(html.length).toBeLessThan(600_000);
  }, 240_000);

  it('embeds the table `retention schedule` prints, the one the privacy officer signed', async () => {
    const { renderHtml } = await import('../src/cli/render-html.js');
    const { run } = await import('../src/app/run.js');
    const { DateTime } = await import('luxon');
    const pino = (await import('pino')).default;
    const db = sqliteTable(join(dir, 'c.db'), 'orders', rows(20));
    const result = await run({
      policy: [policy],
      source: db,
      asOf: AS_OF,
      now: DateTime.now(),
      clock: () => new Date(),
      mode: 'report',
      records: false,
      delimiter: ',',
      log: pino({ level: 'silent' }),
      lookAhead: { horizon: { weeks: 4 } },
    });
    const parts: string[] = [];
    await renderHtml(result, (s) => void parts.push(s), { toolVersion: 'x' });
    const html = parts.join('');
    const { renderScheduleHtml } = await import('../src/schedule/render-html.js');
    expect(html).toContain(renderScheduleHtml(result.policies));
    expect(html).toContain('<h2 id="schedule">Retention schedule</h2>');
  });
});
