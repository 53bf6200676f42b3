import { isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';

// Loaded when a file is not UTF-8: most runs never need it, and start-up pays for what it loads.
let loaded: typeof import('iconv-lite') | undefined;
const iconvLite = (): typeof import('iconv-lite') => {
  loaded ??= createRequire(import.meta.url)('iconv-lite') as typeof import('iconv-lite');
  return loaded;
};

/**
 * The character encoding of a CSV file: UTF-8, or a single-byte encoding whose bytes 0x00-0x7F
 * are ASCII (windows-1252, latin1, ...). The splitter finds delimiters, quotes and line ends by
 * their ASCII bytes, which holds for these; in UTF-16 or Shift_JIS those bytes can be halves of
 * other characters, so such encodings are refused.
 */
export interface CsvEncoding {
  /** As the user named it (lower case), for messages and the source's description. */
  readonly name: string;
  readonly utf8: boolean;
  /** The text of bytes start..end of buf. */
  decode(buf: Buffer, start: number, end: number): string;
  /** The bytes of text, or undefined when a character of it has none in this encoding. */
  encode(text: string): Buffer | undefined;
  /** Whether bytes decode to text that encodes back to exactly them (so a record can be rewritten). */
  roundTrips(bytes: Buffer): boolean;
}

/** A few names --encoding takes, for messages (iconv-lite knows many more single-byte ones). */
export const SOME_ENCODINGS = 'utf-8, windows-1252 (cp1252), latin1 (iso-8859-1), iso-8859-15, windows-1250, windows-1251';

const isUtf8Name = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '') === 'utf8';

/** Why `name` cannot be a CSV file's encoding, or undefined. */
export function encodingProblem(name: string): string | undefined {
  if (isUtf8Name(name)) return undefined;
  if (!iconvLite().encodingExists(name)) return `unknown encoding "${name}"; supported are e.g. ${SOME_ENCODINGS}`;
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const text = iconvLite().decode(all, name);
  const ascii = text.length === 256 && [...Array(128).keys()].every((i) => text.charCodeAt(i) === i);
  return ascii
    ? undefined
    : `encoding "${name}" is not supported: only UTF-8 and single-byte encodings that keep ASCII as it is (${SOME_ENCODINGS}) can be split exactly; convert the file to UTF-8`;
}

const UTF8: CsvEncoding = {
  name: 'utf-8',
  utf8: true,
  decode: (buf, start, end) => buf.toString('utf8', start, end),
  encode: (text) => Buffer.from(text, 'utf8'),
  roundTrips: (bytes) => isUtf8(bytes),
};

/** The encoding named `name` (throws RangeError on a name encodingProblem refuses). */
export function csvEncoding(name = 'utf-8'): CsvEncoding {
  if (isUtf8Name(name)) return UTF8;
  const problem = encodingProblem(name);
  if (problem) throw new RangeError(problem);
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const chars = iconvLite().decode(all, name);
  // Decoded natively as latin1 (byte n -> U+00nn), then the characters this encoding puts elsewhere
  // replaced (windows-1252: those of 0x80-0x9F): ~3x faster than decoding each record with iconv-lite.
  const moved = [...all].filter((b) => chars.charCodeAt(b) !== b);
  const elsewhere = moved.length ? new RegExp(`[${moved.map((b) => `\\u00${b.toString(16).padStart(2, '0')}`).join('')}]`, 'g') : undefined;
  const place = (c: string) => chars.charAt(c.charCodeAt(0));
  // Bytes the encoding leaves undefined (0x81 in windows-1252) decode to U+FFFD and do not come back.
  const exact = [...all].map((b) =>
    iconvLite()
      .encode(iconvLite().decode(Buffer.of(b), name), name)
      .equals(Buffer.of(b)),
  );
  return {
    name: name.toLowerCase(),
    utf8: false,
    decode: (buf, start, end) => {
      const text = buf.toString('latin1', start, end);
      return elsewhere ? text.replace(elsewhere, place) : text;
    },
    encode: (text) => {
      const bytes = iconvLite().encode(text, name);
      // iconv-lite writes "?" for a character the encoding lacks: seen by decoding back.
      return iconvLite().decode(bytes, name) === text ? bytes : undefined;
    },
    roundTrips: (bytes) => bytes.every((b) => exact[b]),
  };
}
