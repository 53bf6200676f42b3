import { describe, expect, it } from 'vitest';
import { parsePolicyText } from '../src/policy/load.js';
import type { Policy } from '../src/policy/model.js';
import { rowCells } from '../src/schedule/cells.js';
import type { Schedule } from '../src/schedule/model.js';
import { esc, renderScheduleHtml } from '../src/schedule/render-html.js';
import { md, renderScheduleMarkdown } from '../src/schedule/render-md.js';
import { buildSchedule } from '../src/schedule/schedule.js';

// The rows of the retention schedule for policies whose wording is easy to get wrong: periods
// from the record, redactions, legal minimums from other rules and policies, where conditions,
// datasets nothing deletes; then how Markdown and HTML keep the text as written.

function policy(body: string, name = 'p', file = `${name}.yaml`): Policy {
  const r = parsePolicyText(`version: 1\nname: ${name}\ntimezone: Europe/Amsterdam\n${body}`, file);
  expect(r.problems).toEqual([]);
  if (!r.policy) throw new Error('policy did not load');
  return r.policy;
}

/** Each row as [rule, action, records, kept, legal minimum, outcome]. */
function rows(s: Schedule, dataset: string, policyName = 'p') {
  const p = s.policies.find((x) => x.policy === policyName);
  const d = p?.datasets.find((x) => x.dataset === dataset);
  if (!p || !d) throw new Error(`no dataset ${dataset}`);
  return d.rows.map((r) => [r.rule, r.action, r.records, r.kept, rowCells(p, d, r).cells[3], r.outcome]);
}

function datasetOf(s: Schedule, dataset: string, policyName = 'p') {
  const d = s.policies.find((x) => x.policy === policyName)?.datasets.find((x) => x.dataset === dataset);
  if (!d) throw new Error(`no dataset ${dataset}`);
  return d;
}

describe('schedule rows', () => {
  it('a period from the record reads as such, and records without one are kept without limit', () => {
    const s = buildSchedule([
      policy(`datasets:
  recordings: { key: id }
rules:
  - id: owner-period
    dataset: recordings
    from: recorded_at
    delete_after: { column: retention_days, unit: days }
    basis: contract
    cite: "Na de ingestelde bewaarperiode vernietigd."
`),
    ]);
    expect(rows(s, 'recordings')).toEqual([
      [
        'owner-period',
        'delete',
        'all records',
        'the period in column retention_days (days), per record, after recorded_at',
        '—',
        'deleted',
      ],
      [
        null,
        'none',
        'retention_days is empty',
        'kept without limit',
        '—',
        'nothing: rule owner-period takes its period from retention_days, and none is set',
      ],
    ]);
    expect(datasetOf(s, 'recordings').keptWithoutLimit).toBe('some');
    const row = datasetOf(s, 'recordings').rows[0];
    expect([row.basis, row.cite, row.period]).toEqual([
      'contract',
      'Na de ingestelde bewaarperiode vernietigd.',
      'the period in column retention_days (days), per record',
    ]);
  });

  it('a period from the record with a default leaves no record without limit', () => {
    const s = buildSchedule([
      policy(`datasets:
  recordings: { key: id }
rules:
  - id: owner-period
    dataset: recordings
    from: recorded_at
    delete_after: { column: keep_months, unit: months, default: P90D }
`),
    ]);
    expect(rows(s, 'recordings')).toEqual([
      [
        'owner-period',
        'delete',
        'all records',
        'the period in column keep_months (months), per record, after recorded_at (90 days where it is empty)',
        '—',
        'deleted',
      ],
    ]);
    expect(datasetOf(s, 'recordings').keptWithoutLimit).toBe('no');
  });

  it('a redaction names its columns and its records; legal minimums apply where their records overlap', () => {
    const s = buildSchedule([
      policy(`datasets:
  cdr: { key: id }
rules:
  - id: usage
    dataset: cdr
    from: started_at
    delete_after: 6 months
  - id: voip-ip
    dataset: cdr
    where: { service: voip }
    from: started_at
    redact_after: 3 months
    redact: [ip_address]
  - id: orders-contact
    dataset: cdr
    where: { service: [mobile, fixed] }
    from: started_at
    redact_after: P1M
    redact: [email, phone, address]
  - id: mobile-minimum
    dataset: cdr
    where: { service: mobile }
    from: started_at
    keep_for: 4 months
    basis: legal-obligation
`),
    ]);
    expect(rows(s, 'cdr')).toEqual([
      ['usage', 'delete', 'all records', '6 months after started_at', '4 months after started_at (rule mobile-minimum)', 'deleted'],
      ['voip-ip', 'redact', 'service is voip', '3 months after started_at', '—', 'column ip_address emptied; the record stays'],
      [
        'orders-contact',
        'redact',
        'service is mobile or fixed',
        '1 month after started_at',
        '4 months after started_at (rule mobile-minimum)',
        'columns email, phone and address emptied; the record stays',
      ],
      [
        'mobile-minimum',
        'keep',
        'service is mobile',
        null,
        '4 months after started_at',
        'legal minimum: no rule deletes or redacts these records before it',
      ],
    ]);
    expect(datasetOf(s, 'cdr').rows[2].columns).toEqual(['email', 'phone', 'address']);
    expect(datasetOf(s, 'cdr').keptWithoutLimit).toBe('no');
  });

  it('retain then delete in one rule: its own keep_for is the legal minimum; several minimums: the latest applies', () => {
    const s = buildSchedule([
      policy(`datasets:
  invoices: { key: id }
rules:
  - id: bookkeeping
    dataset: invoices
    from: invoice_date
    align: year
    keep_for: 7 years
    delete_after: P7Y6M
  - id: claims
    dataset: invoices
    from: paid_at
    keep_for: 2 years
`),
    ]);
    expect(rows(s, 'invoices')[0]).toEqual([
      'bookkeeping',
      'delete',
      'all records',
      '7 years and 6 months after the end of the year of invoice_date',
      'the latest of: 7 years after the end of the year of invoice_date; 2 years after paid_at (rule claims)',
      'deleted',
    ]);
    expect(datasetOf(s, 'invoices').rows[0].legalMinimum.map((m) => m.rule)).toEqual(['bookkeeping', 'claims']);
  });

  it('a rule that deletes and redacts gives a row for each, redaction first', () => {
    const s = buildSchedule([
      policy(`datasets:
  orders: { key: id }
rules:
  - id: order
    dataset: orders
    from: completed_at
    redact_after: 6 months
    redact: [email]
    delete_after: 7 years
`),
    ]);
    expect(rows(s, 'orders').map((r) => [r[1], r[3]])).toEqual([
      ['redact', '6 months after completed_at'],
      ['delete', '7 years after completed_at'],
    ]);
  });

  it('a dataset no rule deletes is flagged kept without limit, also when a rule redacts it', () => {
    const s = buildSchedule([
      policy(`datasets:
  leads: { key: id }
  orders: { key: id }
rules:
  - id: contact-details
    dataset: orders
    from: completed_at
    redact_after: 6 months
    redact: [email]
`),
    ]);
    expect(rows(s, 'leads')).toEqual([[null, 'none', 'all records', 'kept without limit', '—', 'nothing: no rule deletes these records']]);
    expect(rows(s, 'orders').map((r) => [r[1], r[3]])).toEqual([
      ['redact', '6 months after completed_at'],
      ['none', 'kept without limit'],
    ]);
    expect(datasetOf(s, 'leads').keptWithoutLimit).toBe('all');
    expect(datasetOf(s, 'orders').keptWithoutLimit).toBe('all');
  });

  it.each([
    {
      name: 'one value',
      wheres: ['{ contact_type: customer }'],
      gap: 'contact_type is not customer',
    },
    {
      name: 'two rules on one column',
      wheres: ['{ contact_type: customer }', '{ contact_type: visitor }'],
      gap: 'contact_type is neither customer nor visitor',
    },
    {
      name: 'lists on one column',
      wheres: ['{ contact_type: [customer, lead] }', '{ contact_type: visitor }'],
      gap: 'contact_type is none of customer, lead or visitor',
    },
    {
      name: 'several columns',
      wheres: ['{ contact_type: customer, region: eu }', '{ region: us }'],
      gap: 'matching none of: (contact_type is customer and region is eu), (region is us)',
    },
    {
      name: 'an empty value is quoted',
      wheres: ['{ contact_type: "" }'],
      gap: 'contact_type is not ""',
    },
  ])('where conditions that leave records out: $name', ({ wheres, gap }) => {
    const rules = wheres.map(
      (w, i) => `  - id: r${i}\n    dataset: chats\n    where: ${w}\n    from: last_contact_at\n    delete_after: 6 months\n`,
    );
    const s = buildSchedule([policy(`datasets:\n  chats: { key: id }\nrules:\n${rules.join('')}`)]);
    const last = rows(s, 'chats').at(-1);
    expect(last).toEqual([null, 'none', gap, 'kept without limit', '—', 'nothing: no delete rule applies to these records']);
    expect(datasetOf(s, 'chats').keptWithoutLimit).toBe('some');
  });

  it('where conditions do not flag records a rule for all records deletes', () => {
    const s = buildSchedule([
      policy(`datasets:
  chats: { key: id }
rules:
  - id: customers
    dataset: chats
    where: { contact_type: customer }
    from: last_contact_at
    delete_after: 6 months
  - id: everyone
    dataset: chats
    from: last_contact_at
    delete_after: 2 years
`),
    ]);
    expect(rows(s, 'chats').map((r) => r[1])).toEqual(['delete', 'delete']);
    expect(rows(s, 'chats')[0][2]).toBe('contact_type is customer');
  });

  it.each([
    ['6 months', 'service_ended_at', undefined, '6 months after service_ended_at'],
    ['0 days', 'service_ended_at', undefined, 'until service_ended_at'],
    ['P0D', 'service_ended_at', 'year', 'until the end of the year of service_ended_at'],
    ['P1Y', 'visited_at', undefined, '1 year after visited_at'],
    ['PT12H', 'sent_at', 'day', '12 hours after the end of the day of sent_at'],
    ['1 week and 1 day', 'sent_at', 'month', '1 week and 1 day after the end of the month of sent_at'],
    ['1 year 2 months 3 days', 'a', undefined, '1 year, 2 months and 3 days after a'],
    ['6 months', '[last_contact_at, service_ended_at]', undefined, '6 months after the later of last_contact_at and service_ended_at'],
    ['6 months', '[a, b, c]', 'month', '6 months after the end of the month of the latest of a, b and c'],
  ])('delete_after %s from %s (align %s) reads "%s"', (period, from, align, kept) => {
    const s = buildSchedule([
      policy(`datasets:
  d: { key: id }
rules:
  - id: r
    dataset: d
    from: ${from}
${align ? `    align: ${align}\n` : ''}    delete_after: ${period}
`),
    ]);
    expect(rows(s, 'd')[0][3]).toBe(kept);
  });

  it('policies sort by name, datasets by name; a dataset shared by two policies takes legal minimums from both', () => {
    const zeta = policy(
      `datasets:
  shared: { key: id }
  b_table: { key: id }
  a_table: { key: id }
rules:
  - id: shared-delete
    dataset: shared
    from: created_at
    delete_after: 1 year
  - id: a
    dataset: a_table
    from: created_at
    delete_after: 1 year
  - id: b
    dataset: b_table
    from: created_at
    delete_after: 1 year
`,
      'zeta',
    );
    const alpha = policy(
      `datasets:
  shared: { key: id }
rules:
  - id: shared-minimum
    dataset: shared
    from: created_at
    keep_for: 2 years
`,
      'alpha',
    );
    const s = buildSchedule([zeta, alpha]);
    expect(s.policies.map((p) => p.policy)).toEqual(['alpha', 'zeta']);
    expect(s.policies[1].datasets.map((d) => d.dataset)).toEqual(['a_table', 'b_table', 'shared']);
    expect(rows(s, 'shared', 'zeta')).toEqual([
      [
        'shared-delete',
        'delete',
        'all records',
        '1 year after created_at',
        '2 years after created_at (rule alpha/shared-minimum)',
        'deleted',
      ],
    ]);
    // The delete rule of the other policy covers the shared dataset: not kept without limit.
    expect(datasetOf(s, 'shared', 'alpha').keptWithoutLimit).toBe('no');
    expect(datasetOf(s, 'shared', 'alpha').sharedWith).toEqual(['zeta']);
    expect(renderScheduleMarkdown(s)).toContain('- shared is also declared by policy zeta: the rules of all of them apply to its records.');
  });
});

describe('schedule documents', () => {
  const tricky = policy(
    `title: "Statement <b>2020</b> | A&B"
datasets:
  calls: { key: id, hold: legal_hold }
  leads: { key: id }
rules:
  - id: calls
    dataset: calls
    from: started_at
    delete_after: 6 months
    basis: "contract | *consent*"
    cite: "Zes maanden | daarna <script>alert(1)</script>\\nweg [link](x) _nadruk_ \`code\`"
`,
    'tricky',
  );

  it.each([
    ['a|b', 'a\\|b'],
    ['*x* _y_ service_ended_at', '\\*x\\* \\_y\\_ service_ended_at'],
    ['line\nbreak\r\nagain', 'line break again'],
    ['<script>&amp;</script> AT&T', '&lt;script&gt;&amp;amp;&lt;/script&gt; AT&T'],
    ['[a](b) `c` ~d~ \\', '\\[a\\](b) \\`c\\` \\~d\\~ \\\\'],
  ])('md(%j) is %j', (text, out) => {
    expect(md(text)).toBe(out);
  });

  it('Markdown: every row has the eight cells, text escaped, the flag in bold, files and hashes in the header', () => {
    const doc = renderScheduleMarkdown(buildSchedule([tricky]));
    const table = doc.split('\n').filter((l) => l.startsWith('| calls') || l.startsWith('| leads'));
    expect(table).toHaveLength(2);
    // Cells split on pipes not escaped: 8 cells, so a | in the text did not make a ninth.
    for (const l of table) expect(l.split(/(?<!\\)\|/).length - 2).toBe(8);
    expect(table[0]).toContain(
      '| contract \\| \\*consent\\* | "Zes maanden \\| daarna &lt;script&gt;alert(1)&lt;/script&gt; weg \\[link\\](x) \\_nadruk\\_ \\`code\\`" | calls |',
    );
    expect(table[1]).toBe('| leads | all records | **kept without limit** | — | nothing: no rule deletes these records | — | — | — |');
    expect(doc).toContain(`| tricky.yaml | tricky | \`${tricky.sha256}\` |`);
    expect(doc).toContain('## tricky: Statement &lt;b&gt;2020&lt;/b&gt; \\| A&B');
    expect(doc).toContain('- A record whose legal_hold is set is never touched, whatever its rows say (hold column of calls).');
    expect(doc).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('HTML: one section with a heading, column and row headers, everything escaped', () => {
    const html = renderScheduleHtml([tricky]);
    expect(
      html.startsWith('<section class="retention-schedule" aria-labelledby="schedule">\n<h2 id="schedule">Retention schedule</h2>\n'),
    ).toBe(true);
    expect(html.trimEnd().endsWith('</section>')).toBe(true);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('daarna &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<td>Statement &lt;b&gt;2020&lt;/b&gt; | A&amp;B (tricky)</td>');
    const headers = [...html.matchAll(/<th scope="col">([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(headers).toEqual([
      'Organisation',
      'Dataset',
      'Records',
      'Kept',
      'Legal minimum',
      'Then',
      'Legal basis',
      'Statement (cited)',
      'Rule',
    ]);
    expect(html).toContain(
      '<tr class="kept-without-limit"><td>Statement &lt;b&gt;2020&lt;/b&gt; | A&amp;B (tricky)</td><th scope="row">leads</th><td>all records</td><td><strong>kept without limit</strong></td>',
    );
    // Every row has one cell per header.
    for (const tr of html.match(/<tr[ >].*<\/tr>/g) ?? []) expect((tr.match(/<t[hd][ >]/g) ?? []).length).toBe(headers.length);
  });

  it('esc escapes the five characters HTML gives meaning', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
