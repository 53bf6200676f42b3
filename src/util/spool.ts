import { closeSync, createReadStream, ftruncateSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BufferedWriter } from './buffered-writer.js';
import { LineReader } from './line-reader.js';

/**
 * Lines written to a temporary file and read back later, so listing every record a run acts on
 * costs disk, not memory. A spool's file goes with remove(); the directory goes at exit.
 */
export class Spool {
  private static dir: string | undefined;
  private readonly file: string;
  private readonly out: BufferedWriter;
  private closed = false;
  count = 0;
  private bytes = 0;
  private marked = { bytes: 0, count: 0 };

  constructor(name: string) {
    if (!Spool.dir) {
      const dir = mkdtempSync(join(tmpdir(), 'retention-'));
      Spool.dir = dir;
      process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    }
    this.file = join(Spool.dir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${Math.random().toString(36).slice(2)}.ndjson`);
    // Appending: after a rewind truncates the file, the next line goes at its new end.
    this.out = new BufferedWriter(openSync(this.file, 'a'), 256 * 1024);
  }

  push(line: string): void {
    const text = `${line}\n`;
    this.out.write(text);
    this.bytes += Buffer.byteLength(text);
    this.count++;
  }

  /** The lines so far stay: a rewind goes back to here (a batch committed). */
  mark(): void {
    this.marked = { bytes: this.bytes, count: this.count };
  }

  /** Drops the lines pushed since the last mark (a batch rolled back, to be done again). */
  rewind(): void {
    if (this.closed) throw new Error('internal: a sealed spool cannot be rewound');
    this.out.flush();
    ftruncateSync(this.out.fd, this.marked.bytes);
    ({ bytes: this.bytes, count: this.count } = this.marked);
  }

  /** Reads the lines back in order; the spool takes no more lines. */
  async *lines(): AsyncGenerator<string> {
    this.seal();
    const rl = createInterface({ input: createReadStream(this.file), crlfDelay: Infinity });
    for await (const line of rl) if (line) yield line;
  }

  /** The same, for callers that cannot await (inside a SQLite callback, between batches). */
  *linesSync(): Generator<string> {
    this.seal();
    const r = new LineReader(this.file);
    try {
      for (let l = r.next(); l !== undefined; l = r.next()) if (l) yield l;
    } finally {
      r.close();
    }
  }

  /** Deletes the spool's file. */
  remove(): void {
    this.seal();
    rmSync(this.file, { force: true });
  }

  private seal(): void {
    if (!this.closed) {
      this.out.flush();
      closeSync(this.out.fd);
      this.closed = true;
    }
  }
}
