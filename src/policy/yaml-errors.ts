import type { LineCounter, YAMLError } from 'yaml';

/** A YAML syntax error in plain words, at the line one would fix. */
export interface YamlSyntaxProblem {
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

// The yaml library's messages name its own API ("please use YAML.parseAllDocuments()") and its
// grammar ("compact mappings"), and end in a dangling "at line 8, column 11:". Each error code
// is said here in the words of someone editing a policy; the library's text is never shown.

/** The YAML errors of one document, each once, in plain words. */
export function yamlSyntaxProblems(errors: readonly YAMLError[], text: string, lines: LineCounter): YamlSyntaxProblem[] {
  const out: YamlSyntaxProblem[] = [];
  // A nested key explains the "multiline implicit key" error at the same place: say it once.
  const nested = new Set(errors.filter((e) => e.code === 'BLOCK_AS_IMPLICIT_KEY').map((e) => e.pos[0]));
  for (const e of errors) {
    if (e.code === 'MULTILINE_IMPLICIT_KEY' && nested.has(e.pos[0])) continue;
    const p = explain(e, text, lines);
    if (!out.some((q) => q.line === p.line && q.col === p.col && q.message === p.message)) out.push(p);
  }
  return out;
}

function explain(e: YAMLError, text: string, lines: LineCounter): YamlSyntaxProblem {
  const offset = e.pos[0];
  const at = (o: number, message: string) => ({ ...lines.linePos(o), message });
  const here = (message: string) => at(offset, message);
  const ch = text[offset] ?? '';
  switch (e.code) {
    case 'BLOCK_AS_IMPLICIT_KEY':
      return nestedKey(offset, text, lines);
    case 'MULTILINE_IMPLICIT_KEY':
      return here('a key must stand on one line, followed by ":"');
    case 'TAB_AS_INDENT':
      return here('this line is indented with a tab; YAML indents with spaces only');
    case 'DUPLICATE_KEY':
      return here(`key ${keyAt(text, offset)} is given twice in one mapping; keep one of them`);
    case 'MULTIPLE_DOCS':
      return here('a second YAML document starts here ("---"); the file must hold one document: remove this line or split the file');
    case 'BAD_INDENT':
      if (/same column/.test(e.message))
        return here('this line does not line up with the keys above it: the keys of one mapping start in the same column');
      if (/Flow sequence/.test(e.message)) return here('a list opened with "[" above is not closed: end it with "]"');
      if (/Flow mapping/.test(e.message)) return here('a mapping opened with "{" above is not closed: end it with "}"');
      return here('this line is not indented as its place in the file needs');
    case 'MISSING_CHAR':
      if (/closing "quote/.test(e.message)) return here('a text opened with " is not closed: add the closing "');
      if (/closing 'quote/.test(e.message)) return here("a text opened with ' is not closed: add the closing '");
      if (/without - indicator/.test(e.message))
        return here(
          'this line is indented less than the keys of the list item above, and more than its "-": line it up with the keys, or start a new item with "- "',
        );
      if (/between flow/.test(e.message)) return here('a "," or ":" is missing between the items of this [ ] or { }');
      return here('a character is missing here (a closing quote, bracket, "," or ":")');
    case 'BAD_SCALAR_START':
      return here(`a value cannot start with "${ch}" unless it is quoted: put the value in quotes`);
    case 'BAD_DQ_ESCAPE':
      return here('a "double-quoted" text holds an unknown escape (\\ and a letter): write \\\\ for a backslash, or use \'single quotes\'');
    case 'BLOCK_IN_FLOW':
      return here('a "- " list or "key: value" lines cannot stand inside [ ] or { }: write the items separated by ","');
    case 'KEY_OVER_1024_CHARS':
      return here('this key is longer than 1024 characters');
    case 'NON_STRING_KEY':
      return here('a key must be a text, not a list or mapping');
    case 'BAD_ALIAS':
      return here('an alias (*name) cannot stand here');
    case 'ALIAS_PROPS':
    case 'BAD_PROP_ORDER':
    case 'MULTIPLE_ANCHORS':
    case 'MULTIPLE_TAGS':
      return here('an anchor (&name) or tag (!tag) is misplaced here; a policy needs neither');
    case 'TAG_RESOLVE_FAILED':
    case 'BAD_COLLECTION_TYPE':
      return here('an unknown tag (!tag); a policy needs none: remove it');
    case 'BAD_DIRECTIVE':
      return here('an unknown directive (a line starting with %): remove it');
    case 'UNEXPECTED_TOKEN':
      return here(ch.trim() ? `"${ch}" is not expected here` : 'something is not expected here');
    default:
      return here('the YAML cannot be read from here');
  }
}

/**
 * "key: value" found inside a plain value: either a value that holds ": " (`cite: Zes maanden:
 * met wie`) or a key indented deeper than the keys above it, which YAML reads as the previous
 * value's continuation. The error is reported at the value; the fix is at the key's own line.
 */
function nestedKey(offset: number, text: string, lines: LineCounter): YamlSyntaxProblem {
  const start = lines.linePos(offset);
  const colon = /:(?=[ \t\r\n]|$)/g;
  colon.lastIndex = offset;
  const m = colon.exec(text);
  const colonAt = m ? lines.linePos(m.index) : start;
  if (colonAt.line === start.line)
    return { ...start, message: 'this value holds ": ", which YAML reads as a nested key: put the value in quotes' };
  const lineStart = lines.lineStarts[colonAt.line - 1];
  const key = text.slice(lineStart, m?.index).trim();
  const indent = text.slice(lineStart).search(/\S/);
  const above = text
    .slice(lines.lineStarts[start.line - 1], offset)
    .replace(/^\s*(- )?/, '')
    .replace(/:\s*$/, '');
  return {
    line: colonAt.line,
    col: indent + 1,
    message: `"${key}" is indented more than "${above}" on line ${start.line}: the keys of one mapping start in the same column`,
  };
}

/** The key starting at `offset`, quoted for a message. */
function keyAt(text: string, offset: number): string {
  const raw = /^[^:\n]*/.exec(text.slice(offset))?.[0].trim() ?? '';
  return /^["']/.test(raw) ? raw : `"${raw}"`;
}
