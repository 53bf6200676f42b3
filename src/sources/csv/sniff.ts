import { CsvSplitter, CsvSyntaxError, type RawRecord } from './splitter.js';

/** What --delimiter auto chooses from: comma, semicolon (Excel where the decimal mark is a comma), tab, pipe. */
export const CANDIDATES = [',', ';', '\t', '|'] as const;
/** Records after the header that a candidate must split into as many fields as the header. */
const RECORDS = 20;

/** A delimiter as messages and options name it. */
export const delimiterName = (d: string) => (d === '\t' ? 'tab' : `'${d}'`);

interface Split {
  readonly delimiter: string;
  /** Fields of the header (0: no whole header in the sample). */
  readonly header: number;
  /** How the first records disagree with the header, if they do. */
  readonly off?: string;
}

/** How `delimiter` splits the header and the first records of `sample` (the start of a file; `whole`: all of it), quotes respected. */
function split(sample: Buffer, whole: boolean, delimiter: string): Split {
  const splitter = new CsvSplitter({ delimiter });
  const enough = new Error('enough records');
  let header = 0;
  let seen = 0;
  let off: string | undefined;
  const each = (r: RawRecord) => {
    if (header === 0) {
      header = r.fieldCount;
      return;
    }
    if (r.fieldCount === 1 && r.field(0) === '') return; // a blank line
    if (r.fieldCount !== header) off = `line ${r.line} into ${r.fieldCount}`;
    if (off || ++seen >= RECORDS) throw enough;
  };
  try {
    splitter.push(sample, each);
    if (whole) splitter.end(each);
  } catch (e) {
    if (e instanceof CsvSyntaxError) off = `line ${e.line} not at all (${e.message})`;
    else if (e !== enough) throw e;
  }
  return { delimiter, header, off };
}

/**
 * The delimiter of a file from its start: of the candidates that split the header into more than
 * one field and the first records into as many, the one with the most fields. None splitting the
 * header: a one-column file, read with ','. Two with as many fields, or none agreeing with the
 * records: a problem to tell, not a guess.
 */
export function guessDelimiter(sample: Buffer, whole: boolean): { delimiter: string } | { problem: string } {
  const splits = CANDIDATES.map((d) => split(sample, whole, d));
  const splitting = splits.filter((s) => s.header > 1);
  if (splitting.length === 0) {
    if (splits.every((s) => s.header === 0))
      return { problem: `its start (${sample.length} bytes) holds no header that reads as CSV with any of ',' ';' tab '|'` };
    return { delimiter: ',' };
  }
  const fit = splitting.filter((s) => !s.off);
  if (fit.length === 0)
    return {
      problem: splitting.map((s) => `${delimiterName(s.delimiter)} splits the header into ${s.header} fields but ${s.off}`).join('; '),
    };
  const most = Math.max(...fit.map((s) => s.header));
  const [best, ...tied] = fit.filter((s) => s.header === most);
  if (!best) return { problem: 'no delimiter fits' }; // not reached: fit is not empty
  if (tied.length)
    return {
      problem: `${[best, ...tied].map((s) => delimiterName(s.delimiter)).join(' and ')} both split the header and the first records into ${most} fields`,
    };
  return { delimiter: best.delimiter };
}

/** The candidate that splits the header into the most fields (one agreeing with the first records first), if one splits it at all. */
export function headerSplitter(sample: Buffer, whole: boolean): string | undefined {
  const splitting = CANDIDATES.map((d) => split(sample, whole, d)).filter((s) => s.header > 1);
  splitting.sort((a, b) => Number(Boolean(a.off)) - Number(Boolean(b.off)) || b.header - a.header);
  return splitting[0]?.delimiter;
}
