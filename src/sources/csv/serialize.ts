/** Why a delimiter cannot be one (it must be one ASCII character other than a double quote, CR or LF), or undefined. */
export function delimiterProblem(d: string): string | undefined {
  if (d.length === 1 && d.charCodeAt(0) <= 0x7f && d !== '"' && d !== '\r' && d !== '\n') return undefined;
  return 'must be one ASCII character other than a double quote, CR or LF';
}

/** One field with minimal quoting: quoted only if it holds the delimiter, a quote, CR or LF; quotes inside are doubled. */
export function csvField(value: unknown, delimiter = ','): string {
  const f = value === null || value === undefined ? '' : String(value);
  return f.includes(delimiter) || f.includes('"') || f.includes('\n') || f.includes('\r') ? `"${f.replaceAll('"', '""')}"` : f;
}

/**
 * Serializes one CSV record with minimal quoting (see csvField). `eol` is appended as is
 * ('\r\n', '\n' or '' for a last line without newline). Used to rewrite redacted records, and
 * by everything else in the project that writes CSV.
 *
 * One exception to minimal quoting: a record made of a single empty field is written as `""`,
 * so that it stays a record (an empty line at the end of a file without final newline would be
 * no record at all, and elsewhere it reads like a blank line). A record with zero fields cannot
 * be represented (RangeError).
 */
export function serializeRecord(fields: readonly unknown[], delimiter: string, eol: string): string {
  if (fields.length === 0) throw new RangeError('serializeRecord: a CSV record needs at least one field');
  const problem = delimiterProblem(delimiter);
  if (problem) throw new RangeError(`serializeRecord: invalid delimiter ${JSON.stringify(delimiter)}: ${problem}`);
  if (fields.length === 1 && (fields[0] === '' || fields[0] === null || fields[0] === undefined)) return `""${eol}`;
  let out = '';
  for (let i = 0; i < fields.length; i++) out += (i > 0 ? delimiter : '') + csvField(fields[i], delimiter);
  return out + eol;
}
