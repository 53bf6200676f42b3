import { LineCounter, Parser } from 'yaml';
import { didYouMean } from './names.js';

// `# retention-ignore: <lint> because <reason>` beside a rule silences that lint where it is
// deliberate, and says why where the next reader looks. Like eslint's disable comments with
// --report-unused-disable-directives: an ignore without a reason, naming no lint, or that
// silences nothing is itself a warning, so ignores cannot pile up unnoticed.

/** An ignore comment of a policy file. */
export interface IgnoreDirective {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** The lints it names, as written. */
  readonly codes: readonly string[];
  readonly reason?: string;
  /** The line whose warnings it silences: its own, or for a comment on a line of its own the next line that is not a comment. */
  readonly target: number;
}

const DIRECTIVE = /^#\s*retention-ignore\b:?\s*(.*)$/;

/** The ignore comments of a YAML text (comments only: a "#" inside a quoted value is not one). */
export function findIgnores(text: string, file: string): IgnoreDirective[] {
  if (!text.includes('retention-ignore')) return []; // most files: no second parse
  const lines = new LineCounter();
  const comments: { offset: number; source: string }[] = [];
  const walk = (t: unknown): void => {
    if (Array.isArray(t)) for (const x of t) walk(x);
    else if (t && typeof t === 'object') {
      const o = t as { type?: unknown; offset?: unknown; source?: unknown };
      if (o.type === 'comment' && typeof o.offset === 'number' && typeof o.source === 'string')
        comments.push({ offset: o.offset, source: o.source });
      for (const v of Object.values(t)) if (v && typeof v === 'object') walk(v);
    }
  };
  for (const token of new Parser(lines.addNewLine).parse(text)) walk(token);
  const textLines = text.split(/\r?\n/);
  const commentOnly = (n: number) => /^\s*(#.*)?$/.test(textLines[n - 1] ?? '');
  const out: IgnoreDirective[] = [];
  for (const c of comments) {
    const m = DIRECTIVE.exec(c.source.trimEnd());
    if (!m) continue;
    const { line, col } = lines.linePos(c.offset);
    const ownLine = textLines[line - 1].slice(0, col - 1).trim() === '';
    let target = line;
    if (ownLine) {
      target = line + 1;
      while (target <= textLines.length && commentOnly(target)) target++;
    }
    const [, codes, reason] = /^(.*?)(?:(?:^|\s)because\b\s*(.*))?$/.exec(m[1]) ?? [];
    out.push({
      file,
      line,
      col,
      codes: (codes ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      reason: reason?.trim() || undefined,
      target,
    });
  }
  return out;
}

/** A lint finding as ignores see it. */
export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly code: string;
}

/**
 * The findings left after the ignores, and the problems of the ignores themselves (malformed:
 * silences nothing; valid but silencing nothing: unused).
 */
export function applyIgnores<F extends Finding>(
  findings: readonly F[],
  ignores: readonly IgnoreDirective[],
  lints: readonly string[],
): { kept: F[]; problems: { directive: IgnoreDirective; code: 'invalid-ignore' | 'unused-ignore'; message: string }[] } {
  const problems: { directive: IgnoreDirective; code: 'invalid-ignore' | 'unused-ignore'; message: string }[] = [];
  const silenced = new Set<F>();
  for (const d of ignores) {
    const example = `# retention-ignore: ${d.codes[0] ?? 'LINT'} because <why it is deliberate>`;
    if (d.codes.length === 0) {
      problems.push({
        directive: d,
        code: 'invalid-ignore',
        message: `retention-ignore names no lint: write "${example}" (lints: ${lints.join(', ')})`,
      });
      continue;
    }
    const unknown = d.codes.filter((c) => !lints.includes(c));
    for (const c of unknown)
      problems.push({
        directive: d,
        code: 'invalid-ignore',
        message: `retention-ignore names "${c}", which is no lint, so it silences nothing${didYouMean(c, lints) || ` (lints: ${lints.join(', ')})`}`,
      });
    if (unknown.length) continue;
    if (!d.reason) {
      problems.push({
        directive: d,
        code: 'invalid-ignore',
        message: `retention-ignore: ${d.codes.join(', ')} has no reason, so it silences nothing: write "${example}"`,
      });
      continue;
    }
    for (const c of d.codes) {
      const hits = findings.filter((f) => f.file === d.file && f.line === d.target && f.code === c);
      for (const h of hits) silenced.add(h);
      if (hits.length === 0)
        problems.push({
          directive: d,
          code: 'unused-ignore',
          message: `retention-ignore: ${c} silences nothing: there is no ${c} warning on line ${d.target}; remove the comment`,
        });
    }
  }
  return { kept: findings.filter((f) => !silenced.has(f)), problems };
}
