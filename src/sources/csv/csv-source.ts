import { isUtf8 } from 'node:buffer';
import {
  closeSync,
  createReadStream,
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
  fchmodSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { BufferedWriter } from '../../util/buffered-writer.js';
import { basename, dirname, join } from 'node:path';
import { InterruptedError, UserError } from '../../errors.js';
import { takeLock } from '../lock.js';
import { writeProblem } from '../write-access.js';
import type { DatasetInfo, ProgressHook, ReadOptions, Row, RowAct, Source } from '../source.js';
import { CsvSplitter, CsvSyntaxError, type RawRecord } from './splitter.js';
import { serializeRecord } from './serialize.js';

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
}

/**
 * A CSV file, or a directory of them (dataset = file name without .csv). A purge writes the new
 * file beside the old one, fsyncs it and renames it over the old: a crash leaves one of them,
 * whole. Kept records are copied byte for byte; redacted ones are written with minimal quoting.
 */
export class CsvSource implements Source {
  readonly kind = 'csv';
  private readonly byName = new Map<string, CsvFile>();
  private releases: (() => void)[] = [];
  onProgress?: ProgressHook;

  constructor(
    readonly path: string,
    readonly options: { delimiter: string; lockTimeoutMs?: number },
  ) {
    let paths: string[];
    try {
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
      const columns = readHeader(file, options.delimiter);
      // A purge renames a new file over the old one: other hard links would keep the old bytes.
      const links = statSync(file).nlink;
      const unwritable =
        links > 1
          ? `${file} has ${links} hard links; a purge replaces the file, so the other names would keep every record it deletes. Remove the other links first`
          : writeProblem(realpathSync(file), { inPlace: false, replaced: true });
      this.byName.set(name, {
        name,
        file,
        columns,
        location: file,
        stableRef: false,
        notNull: new Set(),
        cascades: [],
        referencedBy: [],
        unwritable,
      });
    }
  }

  datasets(): ReadonlyMap<string, DatasetInfo> {
    return this.byName;
  }

  files(): string[] {
    return [...this.byName.values()].map((f) => f.file);
  }

  /**
   * Takes each file's run lock, then removes what killed runs left: their temporary copies of the
   * file (partial copies of its records). Holding the lock, no other run can be writing one.
   */
  lock(): string[] {
    if (this.releases.length) return [];
    const notes: string[] = [];
    for (const f of this.byName.values()) {
      this.releases.push(takeLock(`${f.file}.retention-lock`, `CSV file ${f.file}`, this.options.lockTimeoutMs));
      notes.push(...removeStaleTemps(realpathSync(f.file)));
    }
    return notes;
  }

  async scan(dataset: string, columns: readonly string[], visit: (row: Row) => void, options: ReadOptions = {}): Promise<void> {
    await this.read(
      dataset,
      columns,
      (_rec, row) => {
        if (row) visit(row);
      },
      false,
      options.signal,
    );
  }

  async apply(
    dataset: string,
    columns: readonly string[],
    act: (row: Row) => RowAct,
    options: ReadOptions = {},
  ): Promise<{ deleted: number; redacted: number }> {
    const f = this.file(dataset);
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
    const out = new BufferedWriter(fd);
    let deleted = 0,
      redacted = 0;
    try {
      await this.read(
        dataset,
        columns,
        (rec, row) => {
          if (row === undefined) {
            out.write(rec.bytes);
            return;
          } // header, blank lines
          const a = act(row);
          if (a === 'keep') out.write(rec.bytes);
          else if (a === 'delete') deleted++;
          else {
            const fields = Array.from({ length: rec.fieldCount }, (_, i) => rec.field(i));
            for (const i of a) fields[this.indexOf(f, columns[i])] = '';
            out.write(Buffer.from(serializeRecord(fields, this.options.delimiter, rec.eol)));
            redacted++;
          }
        },
        true,
        options.signal,
      );
      out.flush();
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
      if (deleted === 0 && redacted === 0) {
        unlinkSync(tmp);
        return { deleted, redacted };
      }
      renameSync(tmp, target);
      syncDir(dirname(target));
    } catch (e) {
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
      options.afterRollback?.();
      if (e instanceof UserError || typeof (e as { code?: unknown }).code !== 'string') throw e;
      throw new UserError(`cannot write ${target}: ${(e as Error).message}; it was left as it was`);
    } finally {
      temps.delete(tmp);
    }
    // The new file is in place: its changes are committed and their receipts due.
    options.afterCommit?.();
    return { deleted, redacted };
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

  /** The record being visited (scan or apply). */
  private current?: RawRecord;

  /**
   * A redacted record is re-serialized from its decoded fields, which is exact only for valid
   * UTF-8: other bytes would come back as U+FFFD in fields that were to be kept.
   */
  rewritable(): boolean {
    return this.current === undefined || isUtf8(this.current.bytes);
  }

  private indexOf(f: CsvFile, column: string): number {
    return f.columns.indexOf(column);
  }

  /**
   * Streams the file's records. `onRecord` gets the header and blank lines with no row (to copy
   * their bytes when rewriting), and every data record with the requested columns.
   */
  private async read(
    dataset: string,
    columns: readonly string[],
    onRecord: (rec: RawRecord, row: unknown[] | undefined) => void,
    all = false,
    signal?: AbortSignal,
  ): Promise<void> {
    const f = this.file(dataset);
    const idx = columns.map((c) => this.indexOf(f, c));
    const width = f.columns.length;
    const row: unknown[] = new Array(columns.length + 1);
    const splitter = new CsvSplitter({ delimiter: this.options.delimiter });
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
      for (let i = 0; i < idx.length; i++) row[i] = rec.field(idx[i]);
      row[columns.length] = rec.line;
      this.current = rec;
      onRecord(rec, row);
    };
    try {
      const hook = this.onProgress;
      const size = hook ? statSync(f.file).size : 0;
      let read = 0;
      for await (const chunk of createReadStream(f.file, { highWaterMark: CHUNK })) {
        if (signal?.aborted)
          throw new InterruptedError(`stopped by ${signal.reason} while reading ${f.file}; it was left as it was`, String(signal.reason));
        splitter.push(chunk as Buffer, each);
        if (hook) hook(dataset, (read += (chunk as Buffer).length), size, 'bytes');
      }
      splitter.end(each);
    } catch (e) {
      if (e instanceof CsvSyntaxError) throw new UserError(`${f.file}:${e.line}: ${e.message}; fix the file (nothing was changed)`);
      throw e;
    }
  }
}

function readHeader(file: string, delimiter: string): string[] {
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
    const splitter = new CsvSplitter({ delimiter });
    const buf = Buffer.allocUnsafe(64 * 1024);
    let header: string[] | undefined;
    const take = (r: RawRecord) => {
      header ??= Array.from({ length: r.fieldCount }, (_, i) => r.field(i));
    };
    for (let n; !header && (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) splitter.push(Buffer.from(buf.subarray(0, n)), take);
    if (!header) splitter.end(take);
    if (!header || (header.length === 1 && header[0] === '')) throw new UserError(`${file} has no header row; a CSV source needs one`);
    // Unnamed columns (trailing commas of spreadsheet exports) cannot be named by a policy: no clash.
    const dup = header.find((h, i) => h !== '' && header!.indexOf(h) !== i);
    if (dup !== undefined) throw new UserError(`${file}: column "${dup}" appears twice in the header`);
    return header;
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
