import { readFileSync, statSync } from 'node:fs';
import { type Document, LineCounter, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { locate, type YamlPath } from './locate.js';
import type { Location } from './model.js';
import type { PolicyProblem } from './problems.js';
import { yamlSyntaxProblems } from './yaml-errors.js';

export type Report = (path: YamlPath, message: string, atKey?: boolean) => void;

/** A YAML file read with positions, collecting problems that name file:line:col. */
export interface YamlDocument {
  /** The content, or undefined when the YAML itself is broken (then problems say where). */
  readonly js: unknown;
  readonly problems: PolicyProblem[];
  at(path: YamlPath, atKey?: boolean): Location;
  readonly report: Report;
}

/** Policy files and policy test files are read the same way, so their errors read the same. */
export function readYaml(text: string, file: string): YamlDocument {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const problems: PolicyProblem[] = [];
  const at = (path: YamlPath, atKey = false): Location => ({ file, ...locate(doc, lines, path, atKey) });
  const report: Report = (path, message, atKey = false) => problems.push({ ...at(path, atKey), severity: 'error', message });
  for (const e of yamlSyntaxProblems(doc.errors, text, lines))
    problems.push({ file, ...e, severity: 'error', message: `YAML: ${e.message}` });
  if (doc.errors.length > 0) return { js: undefined, problems, at, report };
  try {
    return { js: doc.toJS({ maxAliasCount: MAX_ALIASES }), problems, at, report };
  } catch (e) {
    // yaml refuses an alias with no anchor, and an alias expansion that grows without bound
    // ("billion laughs"), with a ReferenceError.
    if (!(e instanceof ReferenceError)) throw e;
    const name = /^Unresolved alias.*: (.*)$/.exec(e.message)?.[1];
    const unresolved = name === undefined ? undefined : firstAlias(doc, (n) => n === name);
    const pos = lines.linePos((unresolved ?? firstAlias(doc))?.offset ?? 0);
    problems.push({
      file,
      line: pos.line,
      col: pos.col,
      severity: 'error',
      message: unresolved
        ? `YAML: alias *${unresolved.name} names no anchor set before it: write &${unresolved.name} on the value it stands for, above the alias`
        : `YAML: aliases (*name) expand to more than ${MAX_ALIASES} copies of their anchors; a policy needs no such expansion, write the values out`,
    });
    return { js: undefined, problems, at, report };
  }
}

/** Aliases a document may expand and bytes it may have: a policy is small, so more is an attack or a mistake. */
const MAX_ALIASES = 100;
const MAX_BYTES = 1 << 20;

/** The text of a policy or test file, or the problem that keeps it from being read (too large, unreadable). */
export function readYamlFile(file: string): { text: string } | { problem: PolicyProblem } {
  const problem = (message: string) => ({ problem: { file, line: 0, col: 0, severity: 'error' as const, message } });
  try {
    const size = statSync(file).size;
    if (size > MAX_BYTES) return problem(`the file has ${size} bytes, more than the ${MAX_BYTES} a policy or test file may have; split it`);
    return { text: readFileSync(file, 'utf8') };
  } catch (e) {
    return problem(`cannot read: ${(e as Error).message}`);
  }
}

/** The first alias (that `which` accepts), by name and offset. */
function firstAlias(doc: Document, which: (name: string) => boolean = () => true): { name: string; offset: number } | undefined {
  let at: { name: string; offset: number } | undefined;
  visit(doc, {
    Alias(_, node) {
      if (!which(node.source)) return;
      at = { name: node.source, offset: node.range?.[0] ?? 0 };
      return visit.BREAK;
    },
  });
  return at;
}

/** How a message names the part of the file at a path (default: the dotted path, `tests.1.as_of`). */
export type NamePath = (path: readonly (string | number)[]) => string;

/**
 * One schema issue as a positioned problem in plain words; zod's own messages ("Too small:
 * expected array to have >=1 items") are never shown. `hint` may add help to an unknown key.
 */
export function reportZodIssue(
  issue: z.core.$ZodIssue,
  report: Report,
  hint: (key: string, path: readonly (string | number)[]) => string,
  name: NamePath = (p) => p.join('.'),
): void {
  const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
  const where = path.length ? name(path) : 'the document';
  if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys)
      report([...path, key], `unknown key "${key}"${path.length ? ` in ${where}` : ''}${hint(key, path)}`, true);
    return;
  }
  // Parsed with reportInput: a key that is there carries its value (null included), a missing one none.
  if (issue.code === 'invalid_type' && issue.input === undefined && path.length > 0) {
    report(path, `missing required key "${String(path[path.length - 1])}"${path.length > 1 ? ` in ${name(path.slice(0, -1))}` : ''}`);
    return;
  }
  if (issue.code === 'invalid_type' && path.length === 0) {
    report(path, `the file must be a YAML mapping of keys, not ${kindOf(issue.input)}`);
    return;
  }
  if (issue.code === 'invalid_type') {
    const expected = issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a mapping of keys' : `a ${issue.expected}`;
    report(path, `${where} must be ${expected}, not ${kindOf(issue.input)}`);
    return;
  }
  // A schema's own messages are plain words: a predicate ("must be a column name or a list of
  // column names"), or a sentence naming its subject ("a test needs a name"). zod's built-in
  // ones ("Too small: expected array to have >=1 items") start with a capital: said here instead.
  const input = 'input' in issue && issue.input !== undefined ? `, not ${kindOf(issue.input)}` : '';
  if (/^must /.test(issue.message)) report(path, `${where} ${issue.message}${input}`);
  else if (/^[a-z]/.test(issue.message)) report(path, `${where}: ${issue.message}`);
  else report(path, `${where} ${builtIn(issue)}`);
}

/** What zod's built-in message for an issue says, as a predicate. */
function builtIn(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'array') return 'must not be an empty list';
      if (issue.origin === 'string') return 'must not be empty';
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      return `must be at most ${issue.maximum}`;
    case 'invalid_value':
      return `must be ${or(issue.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))))}, not ${kindOf(issue.input)}`;
    default:
      return 'is not valid here';
  }
}

/** "a", "a or b", "a, b or c". */
function or(words: readonly string[]): string {
  return words.length < 2 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v === 'string' ? 'the text' : `the ${typeof v}`} ${JSON.stringify(v)}`;
}
