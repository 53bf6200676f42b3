import { isUtf8 } from 'node:buffer';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Decision } from '../../engine/decision.js';
import type { DatasetPlan } from '../../engine/plan.js';
import type { DatasetSummary } from '../../engine/tally.js';
import { InterruptedError, UserError } from '../../errors.js';
import { BackgroundWriter } from '../../util/background-writer.js';
import { takeLock } from '../lock.js';
import { matchBy, RowDecisions } from '../row-decision.js';
import type { DatasetInfo, ProgressHook, Request, Row, Sink, Source, SourceIdentity } from '../source.js';
import { writeProblem } from '../write-access.js';
import { type CsvEncoding, csvEncoding } from './encoding.js';
import { KeptRuns } from './kept-runs.js';
import { type RawCut, rawCut } from './raw-cut.js';
import { serializeRecord } from './serialize.js';
import { delimiterName, guessDelimiter, headerSplitter } from './sniff.js';
import { CsvSplitter, CsvSyntaxError, type RawRecord } from './splitter.js';

const CHUNK = 1 << 20;

/** Temporary files being written: removed at exit, however the process ends (a second Ctrl-C included). */
const temps = new Set<string>();
process.on('exit', () => {
  for (const t of temps) {
    try {
      unlinkSync(t);
    } catch {
      /* gone */
    }
  }
});

interface CsvFile extends DatasetInfo {
  readonly file: string;
  /** The one given, or the one --delimiter auto found in the file. */
  readonly delimiter: string;
  /** Why a purge cannot replace the file as it must (other hard links, no write access). */
  readonly unwritable?: string;
}

/**
 * A CSV file, or a directory of them (dataset = file name without .csv). A purge writes the new
 * file beside the old one, fsyncs it and renames it over the old: a crash leaves one of them,
 * whole. Kept records are copied byte for byte; redacted ones are written with minimal quoting.
 */
export class CsvSource implements Source {
  /** With each file's delimiter (by dataset) and the encoding: what the file was read as. */
  readonly identity: SourceIdentity & { readonly delimiters: Record<string, string>; readonly encoding: string };
  private readonly encoding: CsvEncoding;
  /** A record can turn out malformed halfway through a file: files are all read before the first is rewritten (a file alone is read once, as it is rewritten). */
  readonly readsBeforeChanging = true;
  private readonly byName = new Map<string, CsvFile>();
  private releases: (() => void)[] = [];
  onProgress?: ProgressHook;

  constructor(
    readonly path: string,
    /** `delimiter`: one character, or 'auto' to find it in each file's header. */
    readonly options: { delimiter: string; encoding?: string; lockTimeoutMs?: number },
  ) {
    this.encoding = csvEncoding(options.encoding);
    let paths: string[];
    let real: string;
    try {
      real = realpathSync(path);
      paths = statSync(path).isDirectory()
        ? readdirSync(path)
            .filter((f) => f.toLowerCase().endsWith('.csv'))
            .sort()
            .map((f) => join(path, f))
        : [path];
    } catch (e) {
      throw new UserError(`cannot read CSV source ${path}: ${(e as Error).message}`);
    }
    for (const file of paths) {
      const name = basename(file).replace(/\.csv$/i, '');
      const twin = [...this.byName.values()].find((d) => d.name.toLowerCase() === name.toLowerCase());
      if (twin) throw new UserError(`${file} and ${twin.file} would be the same dataset; rename one of them`);
      const { columns, delimiter, columnsHint } = readHeader(file, options.delimiter, this.encoding);
      // A purge renames a new file over the old one: other hard links would keep the old bytes.
      const links = statSync(file).nlink;
      const unwritable =
        links > 1
          ? `${file} has ${links} hard links; a purge replaces the file, so the other names would keep every record it deletes. Remove the other links first`
          : writeProblem(realpathSync(file), { inPlace: false, replaced: true });
      this.byName.set(name, {
        name,
        file,
        delimiter,
        columns,
        columnsHint,
        location: file,
        refName: 'line number',
        after: [],
        mayBeReferenced: false,
        unwritable,
      });
    }
    const delimiters = Object.fromEntries([...this.byName.values()].map((f) => [f.name, f.delimiter]));
    this.identity = { kind: 'csv', path: real, delimiters, encoding: this.encoding.name };
  }

  datasets(): ReadonlyMap<string, DatasetInfo> {
    return this.byName;
  }

  refusals(plan: DatasetPlan): string[] {
    const f = this.file(plan.dataset.name);
    return f.unwritable ? [f.unwritable] : [];
  }

  fingerprint(): Record<string, unknown> {
    const out: Record<string, { size: number; mtimeMs: number }> = {};
    for (const f of this.byName.values()) {
      const st = statSync(f.file);
      out[realpathSync(f.file)] = { size: st.size, mtimeMs: st.mtimeMs };
    }
    return out;
  }

  /**
   * Takes each file's run lock, then removes what killed runs left: their temporary copies of the
   * file (partial copies of its records). Holding the lock, no other run can be writing one.
   */
  async lock(): Promise<string[]> {
    if (this.releases.length) return [];
    const notes: string[] = [];
    for (const f of this.byName.values()) {
      this.releases.push(takeLock(`${f.file}.retention-lock`, `CSV file ${f.file}`, this.options.lockTimeoutMs));
      notes.push(...removeStaleTemps(realpathSync(f.file)));
    }
    return notes;
  }

  async rows(plan: DatasetPlan, request: Request, visit: (row: Row) => void, key?: string): Promise<void> {
    const k = plan.keyIndex;
    await this.read(
      plan,
      (_rec, row) => {
        if (row && (key === undefined || (k >= 0 ? row.values[k] : String(row.ref)) === key)) visit(row);
      },
      false,
      request.signal,
    );
  }

  async evaluate(plan: DatasetPlan, request: Request, sink: Sink): Promise<DatasetSummary> {
    // Line numbers move when lines before them go: without a key, a record is found again by its bytes.
    let current: RawRecord | undefined;
    const content = () =>
      `content:${createHash('sha256')
        .update((current as RawRecord).bytes)
        .digest('hex')}`;
    const rows = new RowDecisions(plan, request, sink, matchBy(plan, content), false);
    // Most records are decided from their bytes; the rest (and their values) by the engine.
    const cut = rawCut(plan, this.file(plan.dataset.name).columns, request, this.encoding.utf8);
    if (request.mode === 'read') {
      await this.read(
        plan,
        (rec, row, d) => {
          if (!row) return;
          current = rec;
          if (d) rows.accept(row, d);
          else rows.decide(row);
        },
        false,
        request.signal,
        cut,
      );
    } else
      await this.rewrite(
        plan,
        request,
        sink,
        (rec, row, d) => {
          current = rec;
          return d ? rows.accept(row, d) : rows.decide(row);
        },
        cut,
      );
    return rows.tally.summary;
  }

  /**
   * Writes the file again beside itself with what `decide` says of each record (kept records
   * byte for byte), then renames it over the old one; the sink hears the commit once it is in
   * place. Nothing changes when nothing is to be done, when the file changed meanwhile, or when
   * anything fails (the temporary file is removed).
   */
  private async rewrite(
    plan: DatasetPlan,
    request: Request,
    sink: Sink,
    decide: (rec: RawRecord, row: Row, d?: Decision) => Decision,
    cut?: RawCut,
  ): Promise<void> {
    const f = this.file(plan.dataset.name);
    // Through a symbolic link, the file it points to is the one to replace (not the link).
    const target = realpathSync(f.file);
    const before = statSync(target);
    // Unique per run: a temp file left by a killed run (same pid in a container) is no obstacle.
    const tmp = tempName(target);
    let fd: number;
    temps.add(tmp);
    try {
      fd = openSync(tmp, 'wx', before.mode & 0o7777);
    } catch (e) {
      temps.delete(tmp);
      throw new UserError(`cannot write beside ${target}: ${(e as Error).message}; nothing was changed`);
    }
    const out = new BackgroundWriter(fd);
    const kept = new KeptRuns(out);
    let changed = 0;
    try {
      await this.read(
        plan,
        (rec, row, pre) => {
          if (row === undefined) {
            kept.keep(rec); // header, blank lines
            return;
          }
          const d = decide(rec, row, pre);
          if (d.action === 'keep') kept.keep(rec);
          else if (d.action === 'delete') changed++;
          else {
            const fields = Array.from({ length: rec.fieldCount }, (_, i) => rec.field(i));
            for (const c of d.columns) fields[f.columns.indexOf(c)] = '';
            const bytes = this.encoding.encode(serializeRecord(fields, f.delimiter, rec.eol));
            if (!bytes)
              throw new UserError(
                `${f.file}:${rec.line}: the redacted record holds a character that ${this.encoding.name} cannot encode, so it cannot be written back; nothing was changed`,
              );
            kept.flush();
            out.write(bytes);
            changed++;
          }
        },
        true,
        request.signal,
        cut,
        () => {
          kept.flush();
          return out.drain();
        },
      );
      kept.flush();
      await out.end();
      fchmodSync(out.fd, before.mode & 0o7777);
      // The new file takes the old one's owner and group, or the application may lose access.
      const made = fstatSync(out.fd);
      if (made.uid !== before.uid || made.gid !== before.gid) {
        try {
          fchownSync(out.fd, before.uid, before.gid);
        } catch (e) {
          throw new UserError(
            `cannot give the new ${target} the owner ${before.uid}:${before.gid} of the old one (${(e as Error).message}); run as that user or as root; nothing was changed`,
          );
        }
      }
      fsyncSync(out.fd);
      closeSync(out.fd);
      const now = statSync(target);
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) {
        throw new UserError(`${f.file} changed while retention was reading it; nothing was written, run again`);
      }
      if (changed === 0) {
        unlinkSync(tmp);
        return;
      }
      renameSync(tmp, target);
      syncDir(dirname(target));
    } catch (e) {
      // No write may land after the file is closed (its descriptor could be another file's by then).
      await out.settle();
      try {
        closeSync(out.fd);
      } catch {
        /* closed already */
      }
      try {
        unlinkSync(tmp);
      } catch {
        /* not created */
      }
      sink.rollback?.();
      if (e instanceof UserError || typeof (e as { code?: unknown }).code !== 'string') throw e;
      throw new UserError(`cannot write ${target}: ${(e as Error).message}; it was left as it was`);
    } finally {
      temps.delete(tmp);
    }
    // The new file is in place: its changes are committed and their receipts due.
    sink.commit?.();
  }

  close(): void {
    for (const r of this.releases) r();
    this.releases = [];
  }

  private file(dataset: string): CsvFile {
    const f = this.byName.get(dataset);
    if (!f) throw new UserError(`no CSV file for dataset ${dataset} in ${this.path}`);
    return f;
  }

  /**
   * Streams the file's records. `onRecord` gets the header and blank lines with no row (to copy
   * their bytes when rewriting, `all`), and every data record as a row of the plan's columns. A
   * record that is not valid UTF-8 cannot be redacted exactly: re-serialized from its decoded
   * fields, the bytes of its other fields would come back as U+FFFD. With `cut`, a record it
   * decides comes with that decision.
   */
  private async read(
    plan: DatasetPlan,
    onRecord: (rec: RawRecord, row: Row | undefined, d?: Decision) => void,
    all: boolean,
    signal?: AbortSignal,
    cut?: RawCut,
    afterChunk?: () => Promise<void> | void,
  ): Promise<void> {
    const f = this.file(plan.dataset.name);
    const idx = plan.columns.map((c) => f.columns.indexOf(c));
    const width = f.columns.length;
    const row = new CsvRow(idx, this.encoding);
    const splitter = new CsvSplitter({ delimiter: f.delimiter, decode: this.encoding.decode });
    let header = true;
    const each = (rec: RawRecord) => {
      if (header) {
        header = false;
        if (all) onRecord(rec, undefined);
        return;
      }
      if (rec.fieldCount !== width) {
        // A blank line is not a record: kept as it is, not counted.
        if (rec.fieldCount === 1 && width > 1 && rec.field(0) === '') {
          if (all) onRecord(rec, undefined);
          return;
        }
        throw new UserError(
          `${f.file}:${rec.line}: record has ${rec.fieldCount} fields but the header has ${width}; fix the file (nothing was changed)`,
        );
      }
      const d = cut?.(rec);
      row.ref = rec.line;
      row.rec = rec;
      row.stale = true;
      onRecord(rec, row, d);
    };
    try {
      const hook = this.onProgress;
      const size = hook ? statSync(f.file).size : 0;
      let read = 0;
      for await (const chunk of createReadStream(f.file, { highWaterMark: CHUNK })) {
        if (signal?.aborted)
          throw new InterruptedError(`stopped by ${signal.reason} while reading ${f.file}; it was left as it was`, String(signal.reason));
        splitter.push(chunk as Buffer, each);
        await afterChunk?.(); // the records' memory may be reused from here on
        read += (chunk as Buffer).length;
        if (hook) hook(plan.dataset.name, read, size, 'bytes');
      }
      splitter.end(each);
      await afterChunk?.();
    } catch (e) {
      if (e instanceof CsvSyntaxError) throw new UserError(`${f.file}:${e.line}: ${e.message}; fix the file (nothing was changed)`);
      throw e;
    }
  }
}

/**
 * A record as a row; whether it can be rewritten is looked at only for rows to redact. Its values
 * are decoded when first read, during the record's callback (the bytes are a view into the
 * chunk): a record decided from its bytes and sent to no sink that reads them is never decoded.
 */
class CsvRow implements Row {
  private readonly decoded: unknown[];
  /** The values are the previous record's: decode them from `rec` when read. */
  stale = true;
  ref = 0;
  referenced = false;
  rec!: RawRecord;
  constructor(
    private readonly idx: readonly number[],
    private readonly encoding: CsvEncoding,
  ) {
    this.decoded = new Array(idx.length);
  }
  get values(): unknown[] {
    if (this.stale) {
      const rec = this.rec;
      const idx = this.idx;
      for (let i = 0; i < idx.length; i++) this.decoded[i] = rec.field(idx[i]);
      this.stale = false;
    }
    return this.decoded;
  }
  get unwritable(): string | undefined {
    if (this.encoding.utf8)
      return isUtf8(this.rec.bytes)
        ? undefined
        : 'the record is not valid UTF-8, so redacting it would change the bytes of its other fields';
    return this.encoding.roundTrips(this.rec.bytes)
      ? undefined
      : `the record holds bytes that ${this.encoding.name} leaves undefined, so redacting it would change the bytes of its other fields`;
  }
}

/** Bytes of a file's start that --delimiter auto looks at (the header and the first records). */
const SAMPLE = 256 * 1024;

/**
 * The header's columns, read with the delimiter given or, for 'auto', the one the file's start
 * shows; with a one-column header that another delimiter would split, what to say instead of
 * each column the policies name being missing.
 */
function readHeader(file: string, given: string, encoding: CsvEncoding): { columns: string[]; delimiter: string; columnsHint?: string } {
  let fd: number;
  try {
    // Checked before opening: opening a pipe waits for a writer.
    const st = statSync(file);
    if (st.isDirectory()) throw new UserError(`${file} is a directory, not a CSV file`);
    if (!st.isFile()) throw new UserError(`${file} is not a regular file (a pipe or a device cannot be purged in place)`);
    fd = openSync(file, 'r');
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read CSV file ${file}: ${(e as Error).message}`);
  }
  try {
    const sample = Buffer.allocUnsafe(SAMPLE);
    let n = 0;
    let whole = false;
    while (n < SAMPLE && !whole) {
      const got = readSync(fd, sample, n, SAMPLE - n, null);
      n += got;
      whole = got === 0;
    }
    const start = sample.subarray(0, n);
    if ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff))
      throw new UserError(`${file} starts with a UTF-16 byte order mark: UTF-16 is not supported; convert the file to UTF-8`);
    if (!encoding.utf8 && start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf)
      throw new UserError(`${file} starts with a UTF-8 byte order mark, so it is UTF-8, not ${encoding.name}; drop --encoding`);
    let delimiter = given;
    if (given === 'auto') {
      const guess = guessDelimiter(start, whole);
      if ('problem' in guess) throw new UserError(`cannot tell the delimiter of ${file}: ${guess.problem}; give --delimiter`);
      delimiter = guess.delimiter;
    }
    const splitter = new CsvSplitter({ delimiter, decode: encoding.decode });
    const buf = Buffer.allocUnsafe(64 * 1024);
    let header: string[] | undefined;
    // Only the header: the records' syntax is the read's to tell, after the columns are checked.
    const done = new Error('header read');
    const take = (r: RawRecord) => {
      header = Array.from({ length: r.fieldCount }, (_, i) => r.field(i));
      throw done;
    };
    try {
      splitter.push(start, take);
      for (let got = whole ? 0 : 1; got > 0; ) {
        got = readSync(fd, buf, 0, buf.length, null);
        splitter.push(buf.subarray(0, got), take);
      }
      splitter.end(take);
    } catch (e) {
      if (e !== done) throw e;
    }
    if (!header || (header.length === 1 && header[0] === '')) throw new UserError(`${file} has no header row; a CSV source needs one`);
    // Unnamed columns (trailing commas of spreadsheet exports) cannot be named by a policy: no clash.
    const names = header;
    const dup = names.find((h, i) => h !== '' && names.indexOf(h) !== i);
    if (dup !== undefined) throw new UserError(`${file}: column "${dup}" appears twice in the header`);
    const other = header.length === 1 ? headerSplitter(start, whole) : undefined;
    const columnsHint =
      other && other !== delimiter
        ? `${file}: the header has one column; is the delimiter ${delimiterName(other)}? Give --delimiter ${delimiterName(other)} (or --delimiter auto)`
        : undefined;
    return { columns: header, delimiter, columnsHint };
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw new UserError(`${file}:${e.line}: ${e.message}`);
    throw e;
  } finally {
    closeSync(fd);
  }
}

/** The temporary name of a purge's new file: beside the target, with the run's pid and a random part. */
function tempName(target: string): string {
  return join(dirname(target), `.${basename(target)}.retention-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

/** Removes temporary copies of `target` left by runs that were killed; says which. */
function removeStaleTemps(target: string): string[] {
  const prefix = `.${basename(target)}.retention-`;
  const notes: string[] = [];
  for (const name of readdirSync(dirname(target))) {
    const m = name.startsWith(prefix) ? /^(\d+)-[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length)) : null;
    if (!m || temps.has(join(dirname(target), name))) continue;
    try {
      unlinkSync(join(dirname(target), name));
    } catch {
      continue;
    }
    notes.push(
      `removed ${join(dirname(target), name)}, a partial copy of ${target} left by retention run ${m[1]}, which was stopped while writing it`,
    );
  }
  return notes;
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* not supported on every platform */
  }
}
