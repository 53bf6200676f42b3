/**
 * Serializes one CSV record with minimal quoting: a field is quoted only if it
 * contains the delimiter, a double quote, CR or LF; quotes inside a quoted
 * field are doubled. `eol` is appended as is ('\r\n', '\n' or '' for a last
 * line without newline). Used to rewrite redacted records.
 *
 * Caveats: a record with zero fields cannot be represented (RangeError); a
 * record made of a single empty field serializes as an empty line, which
 * reads back as one empty field.
 */
export function serializeRecord(fields: readonly string[], delimiter: string, eol: string): string {
  if (fields.length === 0) throw new RangeError('serializeRecord: a CSV record needs at least one field');
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\r' || delimiter === '\n') {
    throw new RangeError(`serializeRecord: invalid delimiter ${JSON.stringify(delimiter)}`);
  }
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
