/** Something wrong (or dubious) in a policy file, with where it is. */
export interface PolicyProblem {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

export function formatProblem(p: PolicyProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.severity}: ${p.message}`;
}
