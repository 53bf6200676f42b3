/**
 * Serializes one CSV record with minimal quoting: a field is quoted only if it
 * contains the delimiter, a double quote, CR or LF; quotes inside a quoted
 * field are doubled. `eol` is appended as is ('\r\n', '\n' or '' for a last
 * line without newline). Used to rewrite redacted records.
 *
 * One exception to minimal quoting: a record made of a single empty field is
 * written as `""`, so that it stays a record (an empty line at the end of a
 * file without final newline would be no record at all, and elsewhere it reads
 * like a blank line). A record with zero fields cannot be represented
 * (RangeError).
 */
export function serializeRecord(fields: readonly string[], delimiter: string, eol: string): string {
  if (fields.length === 0) throw new RangeError('serializeRecord: a CSV record needs at least one field');
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\r' || delimiter === '\n') {
    throw new RangeError(`serializeRecord: invalid delimiter ${JSON.stringify(delimiter)}`);
  }
  if (fields.length === 1 && fields[0] === '') return '""' + eol;
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) out += delimiter;
    const f = fields[i]!;
    if (needsQuotes(f, delimiter)) {
      out += '"' + f.replaceAll('"', '""') + '"';
    } else {
      out += f;
    }
  }
  return out + eol;
}

function needsQuotes(f: string, delimiter: string): boolean {
  return f.includes(delimiter) || f.includes('"') || f.includes('\n') || f.includes('\r');
}
