import { delimiterProblem } from './serialize.js';
/**
 * Streaming, byte-level CSV record splitter (RFC 4180, strict).
 *
 * Splits a byte stream into records without decoding it, so that records kept
 * unchanged can be written back byte-for-byte. Field text is decoded lazily,
 * only for the fields the caller asks for.
 *
 * Behaviour (matches csv-parse 7 with `bom: true, relax_column_count: true`,
 * except where noted):
 *
 * - Records end at LF or CRLF outside quotes. Both may be mixed in one file.
 *   (csv-parse's default auto-detects ONE record delimiter from the first line
 *   ending and then treats the other kind as field content; we behave like
 *   csv-parse with `record_delimiter: ['\r\n', '\n']`.)
 * - A bare CR (not followed by LF) outside quotes is ordinary field content,
 *   as csv-parse does once it has seen an LF or CRLF line ending. Classic-Mac
 *   CR-only files are therefore NOT split into lines: such a file reads as a
 *   single record.
 * - Quoted fields may contain the delimiter, CR, LF and doubled quotes (`""`).
 *   After a closing quote only the delimiter, LF, CRLF or the end of input may
 *   follow; anything else (including a bare CR) is a CsvSyntaxError. A quote
 *   inside an unquoted field is a CsvSyntaxError. No trimming: a space before
 *   an opening quote makes that quote a stray quote.
 * - An empty line is emitted as a record with one empty field (fieldCount 1,
 *   field(0) === ''), like csv-parse's default (`skip_empty_lines: false`). In
 *   a one-column file it is indistinguishable from an empty value.
 * - A UTF-8 BOM at the very start of the input is part of the first record's
 *   `bytes` but not of its first field. An input consisting only of a BOM
 *   yields no record (like csv-parse); an empty input yields no record.
 * - The final line terminator is optional; the last record then has eol ''.
 *   A trailing CR at the very end of input (no LF) is field content.
 * - Invalid UTF-8 decodes to U+FFFD (Node's decoder), like csv-parse.
 *
 * Line numbers are physical lines counted by LF (a CRLF is one line break, a
 * bare CR is not a line break), 1-based. Error columns are 1-based character
 * (code point) positions within that physical line, not counting a BOM.
 *
 * Usage notes:
 * - The RawRecord passed to onRecord is reused, and its `bytes` is a view into
 *   the pushed chunk or an internal buffer: copy it (or write it
 *   synchronously) if needed after the callback. Strings from field() are
 *   ordinary strings and may be kept.
 * - The caller may reuse its chunk buffer once push() returns (the splitter
 *   copies the incomplete tail), e.g. a readSync loop into one buffer.
 * - After push() or end() threw (a CsvSyntaxError, or an exception from
 *   onRecord), the splitter refuses further input.
 * - Memory: one carry buffer holding the incomplete record plus one chunk;
 *   the whole file is never held.
 */

/** One CSV record as found in the input. Valid only during the callback (views into the chunk). */
export interface RawRecord {
  /** 1-based physical line number where the record starts. */
  readonly line: number;
  /**
   * The record's exact bytes including its line terminator (CRLF, LF, or none for a last line
   * without newline). For the first record of a file this includes a UTF-8 BOM if present.
   */
  readonly bytes: Buffer;
  /** Number of fields. */
  readonly fieldCount: number;
  /** Decoded text of field i, UTF-8 unless the splitter was given another decode (surrounding quotes removed, "" unescaped to "). Must not include the BOM. */
  field(i: number): string;
  /** The record's line terminator: '\r\n', '\n' or '' */
  readonly eol: string;
  /**
   * For reading fields without decoding them (raw-cut.ts): field i's content is
   * buf[starts[i], ends[i]), quotes excluded and doubled quotes not undone; the
   * record's bytes are buf[start, end).
   */
  readonly buf: Buffer;
  readonly start: number;
  readonly end: number;
  readonly starts: readonly number[];
  readonly ends: readonly number[];
}

export class CsvSyntaxError extends Error {
  /** 1-based physical line of the offending character (for an unterminated quote: of the opening quote). */
  readonly line: number;
  /** 1-based character column within that line, when known. */
  readonly column?: number;
  constructor(message: string, line: number, column?: number) {
    super(column === undefined ? `${message} (line ${line})` : `${message} (line ${line}, column ${column})`);
    this.name = 'CsvSyntaxError';
    this.line = line;
    if (column !== undefined) this.column = column;
  }
}

export interface SplitterOptions {
  /** One single-byte (ASCII) character other than '"', CR or LF. Default ','. */
  delimiter?: string;
  /** Decodes field bytes (an ASCII-compatible encoding, see encoding.ts). Default UTF-8. */
  decode?: (buf: Buffer, start: number, end: number) => string;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const EOLS = ['', '\n', '\r\n'] as const;
const MIN_CARRY = 64 * 1024;
/** Records longer than this are decoded field by field only (the caller may want few of many fields). */
const WHOLE_DECODE_MAX = 4096;
/** Carry buffers larger than this are shrunk again once the long record is gone. */
const SHRINK_ABOVE = 4 * 1024 * 1024;

/** Field kinds stored in `kinds`. */
const PLAIN = 0;
const QUOTED = 1;
const QUOTED_ESCAPES = 2;

/** Record decoding modes, see Record. */
const UNDECIDED = 0;
const TEXT = 1;
const PER_FIELD = 2;

class Record implements RawRecord {
  line = 0;
  fieldCount = 0;
  eolLen = 0;
  /** @internal */ buf: Buffer = Buffer.alloc(0);
  /** @internal */ start = 0;
  /** @internal */ end = 0;
  /** @internal */ starts: number[] = [];
  /** @internal */ ends: number[] = [];
  /** @internal */ kinds: number[] = [];
  /** @internal All fields unquoted (kinds not filled in). */ plain = true;
  /**
   * Field decoding. Native calls dominate the cost of decoding short fields,
   * so on the first field() call the whole record (first field start to last
   * field end) is decoded once; if the text has one UTF-16 unit per byte
   * (ASCII, or invalid bytes each decoded alone to U+FFFD), byte offsets are
   * text offsets and fields are cheap slices of it (TEXT). Otherwise each field
   * is decoded on its own (PER_FIELD), and whole-record decoding is skipped for
   * the next records for a while, as non-ASCII records tend to come together.
   * (Mapping offsets into non-ASCII text measured slower: it makes every field
   * a two-byte string.)
   */
  private mode = UNDECIDED;
  private text = '';
  /** Records left before whole-record decoding is tried again. */
  private skipWhole = 0;
  /** @internal Field bytes to text: UTF-8 unless the file has another encoding. */
  decode = utf8Slice;

  /** @internal Called before each record is handed out. */
  reset(): void {
    this.mode = UNDECIDED;
    this.text = '';
    if (this.skipWhole > 0) this.skipWhole--;
  }

  get bytes(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }

  get eol(): string {
    return EOLS[this.eolLen]!;
  }

  field(i: number): string {
    if (!(i >= 0 && i < this.fieldCount) || !Number.isInteger(i)) {
      throw new RangeError(`field index ${i} out of range (record has ${this.fieldCount} fields)`);
    }
    const start = this.starts[i]!;
    const end = this.ends[i]!;
    let mode = this.mode;
    if (mode === UNDECIDED) {
      if (end === start) return '';
      mode = this.decodeWhole();
    }
    let s: string;
    if (mode === TEXT) {
      const base = this.starts[0]!;
      s = this.text.slice(start - base, end - base);
    } else {
      s = this.decode(this.buf, start, end);
    }
    return !this.plain && this.kinds[i] === QUOTED_ESCAPES ? s.replaceAll('""', '"') : s;
  }

  private decodeWhole(): number {
    let mode = PER_FIELD;
    if (this.skipWhole === 0) {
      const base = this.starts[0]!;
      const end = this.ends[this.fieldCount - 1]!;
      if (end - base <= WHOLE_DECODE_MAX) {
        const text = this.decode(this.buf, base, end);
        if (text.length === end - base) {
          mode = TEXT;
          this.text = text;
        } else {
          this.skipWhole = 16;
        }
      }
    }
    this.mode = mode;
    return mode;
  }
}

export class CsvSplitter {
  private readonly delim: number;
  private carry: Buffer = Buffer.allocUnsafe(0);
  private carryLen = 0;
  /** Length of the incomplete record at the last failed attempt (rescan throttle). */
  private lastTry = 0;
  /** null until we know whether the input starts with a BOM. */
  private bomLen: number | null = null;
  private firstRecord = true;
  private line = 1;
  private ended = false;
  private failed = false;
  private readonly rec = new Record();

  // Results of the last scanRecord() call.
  private scanLfs = 0;
  // Positions of the next LF / quote at or after the scan position in the
  // current buffer (buffer length if none), or -1 if not yet searched.
  private nextLf = -1;
  private nextQuote = -1;

  constructor(opts: SplitterOptions = {}) {
    const d = opts.delimiter ?? ',';
    const problem = delimiterProblem(d);
    if (problem) throw new RangeError(`invalid CSV delimiter ${JSON.stringify(d)}: ${problem}`);
    this.delim = d.charCodeAt(0);
    if (opts.decode) this.rec.decode = opts.decode;
  }

  /** Feed the next chunk; calls onRecord for every complete record found. Chunks may split records, fields, CRLF pairs, quotes and multi-byte UTF-8 characters anywhere. */
  push(chunk: Buffer, onRecord: (r: RawRecord) => void): void {
    this.checkUsable();
    if (chunk.length === 0) return;
    if (!Buffer.isBuffer(chunk)) {
      const u = chunk as Uint8Array;
      chunk = Buffer.from(u.buffer, u.byteOffset, u.byteLength);
    }
    if (this.carryLen === 0) {
      this.run(chunk, false, onRecord, false);
    } else {
      this.append(chunk);
      // Rescan the incomplete record only once the data available for it has
      // doubled since the last attempt: keeps total work linear for records
      // spanning many chunks.
      if (this.carryLen < 2 * this.lastTry) return;
      this.run(this.carry.subarray(0, this.carryLen), false, onRecord, true);
    }
  }

  /** End of input: emits the last record if it has no final newline; throws CsvSyntaxError (with the line where the quoted field started) on an unterminated quote. */
  end(onRecord: (r: RawRecord) => void): void {
    this.checkUsable();
    this.ended = true;
    if (this.carryLen > 0) this.run(this.carry.subarray(0, this.carryLen), true, onRecord, true);
    this.carry = Buffer.allocUnsafe(0);
    this.carryLen = 0;
  }

  private checkUsable(): void {
    if (this.failed) throw new Error('CsvSplitter: cannot continue after an error');
    if (this.ended) throw new Error('CsvSplitter: input already ended');
  }

  private append(chunk: Buffer): void {
    const need = this.carryLen + chunk.length;
    if (need > this.carry.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.carry.length * 2, MIN_CARRY));
      this.carry.copy(grown, 0, 0, this.carryLen);
      this.carry = grown;
    }
    chunk.copy(this.carry, this.carryLen);
    this.carryLen = need;
  }

  /** Emits all complete records of buf and keeps the rest in the carry buffer (buf may be a view of it). */
  private run(buf: Buffer, eof: boolean, onRecord: (r: RawRecord) => void, inCarry: boolean): void {
    const len = buf.length;
    let p = 0;
    this.nextLf = -1;
    this.nextQuote = -1;
    if (this.bomLen === null) {
      if (len >= 3 || eof) {
        this.bomLen = len >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
      } else if (buf[0] !== 0xef || (len === 2 && buf[1] !== 0xbb)) {
        this.bomLen = 0;
      }
      // else: a possible BOM prefix, wait for more bytes (p stays 0).
    }
    if (this.bomLen !== null) {
      const rec = this.rec;
      rec.buf = buf;
      try {
        while (p < len) {
          let cStart = p;
          if (this.firstRecord) {
            cStart += this.bomLen;
            if (eof && cStart >= len) {
              // Input is just a BOM: no record.
              p = len;
              break;
            }
          }
          const end = this.scanRecord(buf, cStart, len, eof);
          if (end < 0) break;
          rec.reset();
          rec.line = this.line;
          rec.start = p;
          rec.end = end;
          this.line += this.scanLfs;
          this.firstRecord = false;
          p = end;
          onRecord(rec);
        }
      } catch (e) {
        // Syntax error, or onRecord threw: the carry no longer matches what was emitted.
        this.failed = true;
        throw e;
      } finally {
        rec.buf = EMPTY;
      }
    }
    const rest = len - p;
    if (inCarry) {
      if (p > 0 && rest > 0) this.carry.copy(this.carry, 0, p, len);
      this.carryLen = rest;
      if (this.carry.length > SHRINK_ABOVE && rest * 8 < this.carry.length) {
        const shrunk = Buffer.allocUnsafe(Math.max(rest * 2, MIN_CARRY));
        this.carry.copy(shrunk, 0, 0, rest);
        this.carry = shrunk;
      }
    } else if (rest > 0) {
      this.carryLen = 0;
      this.append(buf.subarray(p, len));
    }
    this.lastTry = rest;
  }

  /**
   * Scans one record whose fields start at `i` (the record itself may start
   * earlier by a BOM). Fills rec.starts/ends/kinds/fieldCount/eolLen and
   * this.scanLfs (LFs in the record, terminator included). Returns the index
   * just past the record, or -1 if more input is needed.
   */
  private scanRecord(buf: Buffer, i: number, len: number, eof: boolean): number {
    const delim = this.delim;
    const rec = this.rec;
    const starts = rec.starts;
    const ends = rec.ends;
    const kinds = rec.kinds;
    const recStart = i;
    let nf = 0;
    let lfs = 0;

    // Fast path: no quote before the next LF, so the record is that line.
    let lf = this.nextLf;
    if (lf < i) {
      lf = buf.indexOf(LF, i);
      this.nextLf = lf = lf < 0 ? len : lf;
    }
    if (lf === len && !eof) return -1;
    let q = this.nextQuote;
    if (q < i) {
      q = buf.indexOf(QUOTE, i);
      this.nextQuote = q = q < 0 ? len : q;
    }
    if (q > lf && lf < len) {
      let fs = i;
      for (; i < lf; i++) {
        if (buf[i] === delim) {
          starts[nf] = fs;
          ends[nf++] = i;
          fs = i + 1;
        }
      }
      starts[nf] = fs;
      rec.plain = true;
      if (lf > fs && buf[lf - 1] === CR) {
        ends[nf++] = lf - 1;
        rec.eolLen = 2;
      } else {
        ends[nf++] = lf;
        rec.eolLen = 1;
      }
      rec.fieldCount = nf;
      this.scanLfs = 1;
      return lf + 1;
    }

    // General state machine.
    rec.plain = false;
    for (;;) {
      // At the start of a field.
      if (i >= len) {
        if (!eof) return -1;
        starts[nf] = i;
        ends[nf] = i;
        kinds[nf++] = PLAIN;
        rec.fieldCount = nf;
        rec.eolLen = 0;
        this.scanLfs = lfs;
        return i;
      }
      let c = buf[i]!;
      if (c === QUOTE) {
        const openAt = i;
        const openLfs = lfs;
        const fs = i + 1;
        let kind = QUOTED;
        i = fs;
        for (;;) {
          // The next quote, found natively; the LFs before it counted only if the next LF is.
          const qi = buf.indexOf(QUOTE, i);
          const stop = qi < 0 ? len : qi;
          let lf = this.nextLf;
          if (lf < i) {
            lf = buf.indexOf(LF, i);
            this.nextLf = lf = lf < 0 ? len : lf;
          }
          while (lf < stop) {
            lfs++;
            lf = buf.indexOf(LF, lf + 1);
            this.nextLf = lf = lf < 0 ? len : lf;
          }
          i = stop;
          if (i >= len) {
            if (!eof) return -1;
            throw this.error('unterminated quoted field', buf, recStart, openAt, openLfs);
          }
          // buf[i] is a quote: escaped quote or closing quote.
          if (i + 1 >= len) {
            if (!eof) return -1;
            starts[nf] = fs;
            ends[nf] = i;
            kinds[nf++] = kind;
            rec.fieldCount = nf;
            rec.eolLen = 0;
            this.scanLfs = lfs;
            return i + 1;
          }
          c = buf[i + 1]!;
          if (c === QUOTE) {
            kind = QUOTED_ESCAPES;
            i += 2;
            continue;
          }
          starts[nf] = fs;
          ends[nf] = i;
          kinds[nf++] = kind;
          i++;
          if (c === delim) {
            i++;
            break; // next field
          }
          if (c === LF) {
            rec.fieldCount = nf;
            rec.eolLen = 1;
            this.scanLfs = lfs + 1;
            return i + 1;
          }
          if (c === CR) {
            if (i + 1 >= len) {
              if (!eof) return -1;
            } else if (buf[i + 1] === LF) {
              rec.fieldCount = nf;
              rec.eolLen = 2;
              this.scanLfs = lfs + 1;
              return i + 2;
            }
          }
          throw this.error(`unexpected ${describe(buf, i)} after a closing quote`, buf, recStart, i, lfs);
        }
      } else {
        const fs = i;
        // The field ends at the next delimiter, or at the next LF, quote (an error) or the end
        // of the buffer, whichever comes first: found once per field, so the loop over its
        // bytes looks for the delimiter only.
        let stop = this.nextQuote;
        if (stop < i) {
          stop = buf.indexOf(QUOTE, i);
          this.nextQuote = stop = stop < 0 ? len : stop;
        }
        let lf = this.nextLf;
        if (lf < i) {
          lf = buf.indexOf(LF, i);
          this.nextLf = lf = lf < 0 ? len : lf;
        }
        if (lf < stop) stop = lf;
        while (i < stop && buf[i] !== delim) i++;
        for (;;) {
          if (i >= len) {
            if (!eof) return -1;
            starts[nf] = fs;
            ends[nf] = i;
            kinds[nf++] = PLAIN;
            rec.fieldCount = nf;
            rec.eolLen = 0;
            this.scanLfs = lfs;
            return i;
          }
          c = buf[i]!;
          if (c === delim) {
            starts[nf] = fs;
            ends[nf] = i;
            kinds[nf++] = PLAIN;
            i++;
            break; // next field
          }
          if (c === LF) {
            starts[nf] = fs;
            kinds[nf] = PLAIN;
            if (i > fs && buf[i - 1] === CR) {
              ends[nf++] = i - 1;
              rec.eolLen = 2;
            } else {
              ends[nf++] = i;
              rec.eolLen = 1;
            }
            rec.fieldCount = nf;
            this.scanLfs = lfs + 1;
            return i + 1;
          }
          if (c === QUOTE) {
            throw this.error('quote inside an unquoted field', buf, recStart, i, lfs);
          }
          i++;
        }
      }
    }
  }

  /** Builds a CsvSyntaxError for the byte at `at`, `lfs` LFs after the record's start. */
  private error(what: string, buf: Buffer, recStart: number, at: number, lfs: number): CsvSyntaxError {
    let lineStart = at;
    while (lineStart > recStart && buf[lineStart - 1] !== LF) lineStart--;
    const column = [...buf.toString('utf8', lineStart, at)].length + 1;
    return new CsvSyntaxError(`CSV syntax error: ${what}`, this.line + lfs, column);
  }
}

const EMPTY = Buffer.alloc(0);

/** The character at byte `at`, for error messages, e.g. `"x"` or `"\r"`. */
function describe(buf: Buffer, at: number): string {
  const cp = buf.toString('utf8', at, Math.min(at + 4, buf.length)).codePointAt(0) ?? 0;
  return JSON.stringify(String.fromCodePoint(cp));
}

/** Node's Buffer#utf8Slice skips toString()'s argument handling: ~2x faster for short fields. */
type Utf8Sliceable = Buffer & { utf8Slice?: (start: number, end: number) => string };
const utf8Slice: (buf: Buffer, start: number, end: number) => string =
  typeof (EMPTY as Utf8Sliceable).utf8Slice === 'function'
    ? (buf, start, end) => (buf as Utf8Sliceable).utf8Slice!(start, end)
    : (buf, start, end) => buf.toString('utf8', start, end);
