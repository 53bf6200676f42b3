import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Reads a file line by line synchronously, a block at a time: for callers that run inside a
 * synchronous callback (a SQLite function) and cannot await a stream.
 */
export class LineReader {
  private readonly fd: number;
  private readonly block = Buffer.allocUnsafe(1 << 20);
  private pending: Buffer[] = [];
  private buf = Buffer.alloc(0);
  private pos = 0;
  private eof = false;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
  }

  /** The next line without its newline, or undefined at the end. */
  next(): string | undefined {
    for (;;) {
      const nl = this.buf.indexOf(0x0a, this.pos);
      if (nl >= 0) {
        const head = this.buf.subarray(this.pos, nl);
        this.pos = nl + 1;
        const line = this.pending.length ? Buffer.concat([...this.pending, head]) : head;
        this.pending = [];
        return line.toString('utf8').replace(/\r$/, '');
      }
      if (this.pos < this.buf.length) this.pending.push(Buffer.from(this.buf.subarray(this.pos)));
      if (this.eof) {
        if (!this.pending.length) return undefined;
        const rest = Buffer.concat(this.pending);
        this.pending = [];
        return rest.toString('utf8');
      }
      const n = readSync(this.fd, this.block, 0, this.block.length, null);
      if (n === 0) this.eof = true;
      this.buf = this.block.subarray(0, n);
      this.pos = 0;
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
