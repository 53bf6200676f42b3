import { writeSync } from 'node:fs';

/** Collects small writes into 1 MiB blocks: one write syscall per block. */
export class BufferedWriter {
  protected buf: Buffer;
  protected len = 0;
  constructor(
    readonly fd: number,
    size = 1 << 20,
  ) {
    this.buf = Buffer.allocUnsafe(size);
  }
  write(b: Buffer | string): void {
    const bytes = typeof b === 'string' ? Buffer.from(b) : b;
    if (this.len + bytes.length > this.buf.length) {
      this.flush();
      if (bytes.length > this.buf.length) {
        this.writeLarge(bytes);
        return;
      }
    }
    bytes.copy(this.buf, this.len);
    this.len += bytes.length;
  }
  flush(): void {
    if (this.len > 0) writeAll(this.fd, this.buf.subarray(0, this.len));
    this.len = 0;
  }
  /** A write larger than a block, written past the buffer. */
  protected writeLarge(bytes: Buffer): void {
    writeAll(this.fd, bytes);
  }
}

function writeAll(fd: number, b: Buffer): void {
  for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
}
