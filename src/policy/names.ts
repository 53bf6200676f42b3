// How messages name things, so every message names a rule the same way, and "did you mean".

/** A rule as every message names it: by its id and the line it starts on. */
export function ruleName(id: unknown, line: number): string {
  return typeof id === 'string' && id !== '' ? `rule "${id}" (line ${line})` : `the rule at line ${line}`;
}

/** The candidate a misspelt word most likely meant (at most two edits away), if any. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: { word: string; d: number } | undefined;
  for (const c of candidates) {
    if (c === word) continue;
    const d = distance(c.toLowerCase(), word.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { word: c, d };
  }
  return best?.word;
}

/** `; did you mean "x"?` for a misspelt word, else nothing. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : `; did you mean "${c}"?`;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  return d[a.length][b.length];
}
