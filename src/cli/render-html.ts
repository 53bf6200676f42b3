import { DateTime } from 'luxon';
import type { RunResult } from '../app/run.js';
import type { DatasetSummary } from '../engine/tally.js';
import type { Rule } from '../policy/model.js';
import { renderScheduleHtml } from '../schedule/render-html.js';
import { forecastChart } from './html/chart.js';
import { esc } from './html/escape.js';
import { HTML_STYLE } from './html/style.js';
import type { Out } from './render-run.js';

export interface HtmlOptions {
  /** The tool's version, named in the page. */
  readonly toolVersion: string;
}

const COUNTS = [
  ['delete', 'due for deletion now: the next purge deletes them'],
  ['redact', 'due for redaction now: the next purge empties the named columns and keeps the record'],
  ['keep', 'kept: not due yet, or kept for one of the reasons below (held, invalid and unmanaged are part of keep)'],
  ['held', 'on legal hold: never touched while the hold column is set'],
  ['invalid', 'a date or period could not be read: kept, never deleted on doubt; fix the value'],
  ['unmanaged', 'no delete rule applies: kept forever unless a rule is added (a gap in the policies)'],
] as const;

/**
 * `report --format html`: one self-contained page (styles inline, the charts inline SVG, no
 * script, nothing fetched), for a reader who has never seen the tool. It holds aggregates only
 * (counts, forecast buckets, rules), never a record, so its size does not grow with the data.
 */
export async function renderHtml(r: RunResult, out: Out, o: HtmlOptions): Promise<void> {
  const zone = r.asOf.zone;
  const day = (iso: string) => (iso ? DateTime.fromISO(iso, { zone }).toFormat('yyyy-MM-dd') : '');
  const when = (iso: string | undefined) => (iso ? DateTime.fromISO(iso, { zone }).toFormat('yyyy-MM-dd HH:mm ZZ') : '');
  const asOf = r.asOf.toISO() ?? '';
  const rulesOf = new Map<string, Rule[]>();
  for (const p of r.policies) for (const rule of p.rules) rulesOf.set(rule.dataset, [...(rulesOf.get(rule.dataset) ?? []), rule]);
  const totals = COUNTS.map(([c]) => r.datasets.reduce((n, d) => n + d[c], 0));
  const horizon = r.datasets.find((d) => d.forecast)?.forecast;

  const head = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(`Retention report: ${r.source.path}, as of ${day(asOf)}`)}</title>
<style>${HTML_STYLE}</style>
</head>
<body>
<a class="skip" href="#summary">Skip to the summary</a>
<header>
<h1>Retention report</h1>
<p>What the retention policies below say about the records in <strong>${esc(r.source.path)}</strong> at <strong>${esc(when(asOf))}</strong>:
how many records are due for deletion or redaction now, how many become due ${horizon ? `in each ${horizon.bucket} until ${esc(day(horizon.horizon))}` : 'later'},
and which rule of which privacy statement says so. Making this report changed nothing in the data.</p>
</header>
<main>
`;
  await out(head);
  await out(`<section aria-labelledby="about"><h2 id="about">About this report</h2>
<dl class="facts">
<dt>As of</dt><dd><time datetime="${esc(asOf)}">${esc(when(asOf))}</time> (every decision is made against this one instant)</dd>
<dt>Source</dt><dd>${esc(r.source.kind)}: <code>${esc(r.source.path)}</code></dd>
${horizon ? `<dt>Forecast</dt><dd>per ${horizon.bucket}, until <time datetime="${esc(horizon.horizon)}">${esc(when(horizon.horizon))}</time></dd>` : ''}
<dt>Made by</dt><dd>retention ${esc(o.toolVersion)}</dd>
</dl>
<h3>Policies</h3>
<div class="scroll"><table>
<caption>The policy files this report applied; the content hash (SHA-256) identifies each file's exact text.</caption>
<thead><tr><th scope="col">Policy</th><th scope="col">Title</th><th scope="col">File</th><th scope="col">Content hash (SHA-256)</th></tr></thead>
<tbody>
${r.policies.map((p) => `<tr><th scope="row">${esc(p.name)}</th><td>${esc(p.title ?? '')}</td><td><code>${esc(p.file)}</code></td><td><code class="hash">${esc(p.sha256)}</code></td></tr>`).join('\n')}
</tbody></table></div>
<h3>What the counts mean</h3>
<dl class="glossary">
${COUNTS.map(([c, text]) => `<dt>${c}</dt><dd>${esc(text)}</dd>`).join('\n')}
</dl>
</section>
`);
  await out(`<section aria-labelledby="summary"><h2 id="summary">Summary</h2>
<div class="scroll"><table class="counts" id="summary-table">
<caption>Records per dataset at ${esc(when(asOf))}</caption>
<thead><tr><th scope="col">Dataset</th>${COUNTS.map(([c]) => `<th scope="col">${c}</th>`).join('')}<th scope="col">Next due</th></tr></thead>
<tbody>
${r.datasets.map((d) => `<tr data-dataset="${esc(d.dataset)}"><th scope="row"><a href="#${anchor(d.dataset)}">${esc(d.dataset)}</a></th>${COUNTS.map(([c]) => `<td data-count="${c}">${d[c]}</td>`).join('')}<td>${esc(day(nextDue(d) ?? '') || '-')}</td></tr>`).join('\n')}
</tbody>
<tfoot><tr><th scope="row">All datasets</th>${totals.map((n) => `<td>${n}</td>`).join('')}<td></td></tr></tfoot>
</table></div>
</section>
`);
  for (const d of r.datasets) await out(datasetSection(d, rulesOf.get(d.dataset) ?? [], day, when));
  // The same table `retention schedule` prints: what the privacy officer signed.
  await out(`${renderScheduleHtml(r.policies)}
</main>
<footer><p>Generated by retention ${esc(o.toolVersion)} from the policies and source above, as of ${esc(when(asOf))}. This page holds counts only, never a record.</p></footer>
</body>
</html>
`);
}

function datasetSection(d: DatasetSummary, rules: readonly Rule[], day: (iso: string) => string, when: (iso?: string) => string): string {
  const id = anchor(d.dataset);
  const f = d.forecast;
  const next = nextDue(d);
  const forecast = f
    ? `<h3>Forecast</h3>
<p>Records that become due, per ${f.bucket} from the report's instant, if nothing changes (each record counted once, at its first deletion or redaction). Due now: ${f.due.delete} to delete, ${f.due.redact} to redact. After ${esc(day(f.horizon))}: ${f.later}. Not counted in any ${f.bucket}: ${f.notStarted} whose start has not happened, ${f.never} that no rule would delete or redact, ${f.held} held, ${f.invalid} invalid.</p>
<figure>
${forecastChart(`${id}-chart`, d.dataset, f, day)}
<figcaption>Records of ${esc(d.dataset)} becoming due per ${f.bucket}, by rule.</figcaption>
</figure>
<details><summary>The forecast as a table</summary>
<div class="scroll"><table class="forecast" id="${id}-forecast">
<caption>Records of ${esc(d.dataset)} becoming due per ${f.bucket}</caption>
<thead><tr><th scope="col">${f.bucket === 'day' ? 'Day' : 'Week'} from</th><th scope="col">Delete</th><th scope="col">Redact</th><th scope="col">By rule</th></tr></thead>
<tbody>
${f.buckets.map((b) => `<tr data-start="${esc(b.start)}"><th scope="row"><time datetime="${esc(b.start)}">${esc(day(b.start))}</time></th><td>${b.delete}</td><td>${b.redact}</td><td>${esc(b.rules.map((x) => `${x.policy}/${x.rule}: ${[x.delete ? `${x.delete} delete` : '', x.redact ? `${x.redact} redact` : ''].filter(Boolean).join(', ')}`).join('; '))}</td></tr>`).join('\n')}
</tbody></table></div>
</details>`
    : '';
  return `<section aria-labelledby="${id}" class="dataset" data-dataset="${esc(d.dataset)}">
<h2 id="${id}">${esc(d.dataset)}</h2>
<div class="scroll"><table class="counts">
<caption>${esc(d.dataset)}: ${d.scanned} records read</caption>
<thead><tr>${COUNTS.map(([c]) => `<th scope="col">${c}</th>`).join('')}</tr></thead>
<tbody><tr>${COUNTS.map(([c]) => `<td data-count="${c}">${d[c]}</td>`).join('')}</tr></tbody>
</table></div>
<p>Next due: ${next ? `<time datetime="${esc(next)}">${esc(when(next))}</time>` : 'none of the records kept has a due date'}.</p>
${forecast}
<h3>Rules</h3>
<div class="scroll"><table class="rules">
<caption>The rules for ${esc(d.dataset)}, with the sentence of the privacy statement each encodes</caption>
<thead><tr><th scope="col">Rule</th><th scope="col">What</th><th scope="col">From</th><th scope="col">Due now</th><th scope="col">Next due</th><th scope="col">Statement</th></tr></thead>
<tbody>
${rules
  .map((rule) => {
    const s = d.rules.find((x) => x.policy === rule.policy && x.rule === rule.id);
    return `<tr><th scope="row">${esc(`${rule.policy}/${rule.id}`)}</th><td>${esc(what(rule))}${rule.where.length ? `<br><span class="note">only where ${esc(rule.where.map((w) => `${w.column} is ${w.values.join(' or ')}`).join(' and '))}</span>` : ''}</td><td>${esc(from(rule))}</td><td>${s ? `${s.delete} delete, ${s.redact} redact` : ''}</td><td>${esc(when(s?.nextDue) || '-')}</td><td>${rule.cite ? `<blockquote>${esc(rule.cite)}</blockquote>` : ''}${rule.basis ? `<span class="note">basis: ${esc(rule.basis)}</span>` : ''}</td></tr>`;
  })
  .join('\n')}
</tbody></table></div>
</section>
`;
}

/** The page's own retention schedule: every rule, its dataset, periods, start and cite. */
/** A rule's periods in words: "delete after 6 months; keep for 4 months". */
function what(r: Rule): string {
  const parts: string[] = [];
  if (r.keepFor) parts.push(`keep for at least ${r.keepFor.text}`);
  if (r.deleteAfter) parts.push(`delete after ${r.deleteAfter.text}`);
  if (r.redactAfter) parts.push(`empty ${r.redact.join(', ')} after ${r.redactAfter.text}`);
  return parts.join('; ');
}

function from(r: Rule): string {
  const cols = r.from.join(' and ');
  return r.align ? `${cols} (counted from the end of its ${r.align})` : cols;
}

/** The earliest next due among the dataset's rules. */
function nextDue(d: DatasetSummary): string | undefined {
  const dues = d.rules.flatMap((s) => (s.nextDue ? [s.nextDue] : []));
  return dues.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}

/** An id for a dataset's section: its name, made safe for a fragment. */
function anchor(name: string): string {
  return `ds-${name.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)}`;
}
