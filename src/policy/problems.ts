/** Something wrong (or dubious) in a policy file, with where it is. */
export interface PolicyProblem {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** `file:line:col: severity: message`; a problem of the whole file (line 0: it cannot be read) has no position. */
export function formatProblem(p: PolicyProblem): string {
  return `${p.file}${p.line > 0 ? `:${p.line}:${p.col}` : ''}: ${p.severity}: ${p.message}`;
}

/**
 * A GitHub Actions workflow command, `::error file=F,line=L,col=C::message`, which the runner
 * shows as an annotation on that line. A position of 0 (a file that cannot be read) is left out.
 */
export function githubAnnotation(p: PolicyProblem): string {
  const props = [`file=${escapeProperty(p.file)}`];
  if (p.line > 0) props.push(`line=${p.line}`);
  if (p.line > 0 && p.col > 0) props.push(`col=${p.col}`);
  return `::${p.severity} ${props.join(',')}::${escapeData(p.message)}`;
}

// GitHub's escaping rules for workflow commands (actions/toolkit, core/src/command.ts): the
// message may not hold a line break, and a property value may not hold the separators , and :.
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
