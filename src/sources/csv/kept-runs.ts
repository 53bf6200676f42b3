import type { RawRecord } from './splitter.js';

/**
 * Copies kept records to the new file in runs: consecutive records of one chunk are one write,
 * not one each (a view and a copy per record cost about as much as deciding it). The run must be
 * written before the chunk's memory can change, so `flush` is called after each chunk, and before
 * anything else is written.
 */
export class KeptRuns {
  private buf: Buffer | undefined;
  private from = 0;
  private to = 0;

  constructor(private readonly out: { write(b: Buffer): void }) {}

  keep(rec: RawRecord): void {
    if (rec.buf !== this.buf || rec.start !== this.to) {
      this.flush();
      this.buf = rec.buf;
      this.from = rec.start;
    }
    this.to = rec.end;
  }

  flush(): void {
    if (this.buf && this.to > this.from) this.out.write(this.buf.subarray(this.from, this.to));
    this.buf = undefined;
  }
}
