import type { DatasetForecast } from '../../engine/forecast.js';
import { esc } from './escape.js';

/** Colours that stay apart for the common colour blindnesses (Okabe and Ito), darkest first. */
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#999999'];

/** One stacked part of every bar: a rule's deletions or its redactions. */
interface Series {
  readonly policy: string;
  readonly rule: string;
  readonly action: 'delete' | 'redact';
  readonly colour: string;
}

/** The series of a forecast: each rule and action that has a record in some bucket, in the buckets' rule order. */
export function seriesOf(f: DatasetForecast): Series[] {
  const out: Series[] = [];
  for (const b of f.buckets)
    for (const x of b.rules)
      for (const action of ['delete', 'redact'] as const)
        if (x[action] > 0 && !out.some((s) => s.policy === x.policy && s.rule === x.rule && s.action === action))
          out.push({ policy: x.policy, rule: x.rule, action, colour: '' });
  return out.map((s, i) => ({ ...s, colour: PALETTE[i % PALETTE.length] }));
}

const W = 720;
const H = 260;
const LEFT = 48;
const BOTTOM = 40;
const TOP = 12;

/**
 * The forecast as a stacked bar chart in inline SVG: a bar group (`g.bar`) per bucket, a part
 * per rule and action, each with its numbers in `data-` attributes and a `<title>` that says them.
 * Drawn from the aggregates only, so a dataset of any size makes the same small chart.
 */
export function forecastChart(id: string, dataset: string, f: DatasetForecast, label: (iso: string) => string): string {
  const series = seriesOf(f);
  const totals = f.buckets.map((b) => b.delete + b.redact);
  const max = niceMax(Math.max(1, ...totals));
  const n = f.buckets.length;
  const slot = (W - LEFT - 8) / n;
  const bar = Math.max(2, slot * 0.7);
  const y = (v: number) => TOP + (H - TOP - BOTTOM) * (1 - v / max);
  const every = Math.ceil(n / 14);
  const step = max >= 5 ? max / 5 : 1;
  const ticks = Array.from({ length: max / step + 1 }, (_, i) => i * step);
  const unit = f.bucket === 'day' ? 'day' : 'week';
  const parts: string[] = [];
  for (const t of ticks)
    parts.push(
      `<line x1="${LEFT}" x2="${W - 4}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" class="grid"/><text x="${LEFT - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${t}</text>`,
    );
  f.buckets.forEach((b, i) => {
    const x = LEFT + i * slot + (slot - bar) / 2;
    let acc = 0;
    const rects: string[] = [];
    for (const s of series) {
      const v = b.rules.find((r) => r.policy === s.policy && r.rule === s.rule)?.[s.action] ?? 0;
      if (!v) continue;
      rects.push(
        `<rect x="${x.toFixed(1)}" y="${y(acc + v).toFixed(1)}" width="${bar.toFixed(1)}" height="${(y(acc) - y(acc + v)).toFixed(1)}" fill="${s.colour}" data-rule="${esc(`${s.policy}/${s.rule}`)}" data-action="${s.action}" data-count="${v}"/>`,
      );
      acc += v;
    }
    const text = `${unit} from ${label(b.start)}: ${b.delete} to delete, ${b.redact} to redact`;
    const tick =
      i % every === 0
        ? `<text x="${(x + bar / 2).toFixed(1)}" y="${H - BOTTOM + 16}" text-anchor="middle">${esc(label(b.start).slice(5))}</text>`
        : '';
    parts.push(
      `<g class="bar" data-start="${esc(b.start)}" data-delete="${b.delete}" data-redact="${b.redact}"><title>${esc(text)}</title>${rects.join('')}${tick}</g>`,
    );
  });
  parts.push(`<text x="${LEFT}" y="${H - 6}">${esc(`${unit} starting (month-day)`)}</text>`);
  const total = totals.reduce((a, b) => a + b, 0);
  const busiest = totals.indexOf(Math.max(...totals));
  const desc =
    total === 0
      ? `No record becomes due in the ${n} ${unit}s until ${label(f.horizon)}.`
      : `${total} records become due in the ${n} ${unit}s until ${label(f.horizon)}; the most (${totals[busiest]}) in the ${unit} from ${label(f.buckets[busiest].start)}. The table below the chart has every number.`;
  const legend = series
    .map(
      (s) =>
        `<li><svg width="14" height="14" aria-hidden="true" focusable="false"><rect width="14" height="14" fill="${s.colour}"/></svg> ${esc(`${s.policy}/${s.rule}`)}: ${s.action === 'delete' ? 'deletions' : 'redactions'}</li>`,
    )
    .join('');
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-title ${id}-desc" data-buckets="${n}">
<title id="${id}-title">${esc(`Records of ${dataset} becoming due per ${unit}, stacked by rule`)}</title>
<desc id="${id}-desc">${esc(desc)}</desc>
${parts.join('\n')}
</svg>
${legend ? `<ul class="legend">${legend}</ul>` : ''}`;
}

/** A round upper bound for the axis: 1, 2 or 5 times a power of ten (so a fifth of it is whole, from 5 up). */
function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
