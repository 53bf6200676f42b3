import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { BackgroundWriter } from '../src/util/background-writer.js';
import { tempDir } from './helpers/cli.js';

// The CSV purge's writer: blocks written by the thread pool, each at its place in the file.

it('writes every byte in order across blocks, however small the writes and whatever their order of completion', async () => {
  const file = join(tempDir(), 'out');
  const fd = openSync(file, 'w');
  const out = new BackgroundWriter(fd, 64);
  const expected: Buffer[] = [];
  for (let i = 0; i < 2000; i++) {
    // Small writes, one larger than a block, and a string; the caller's buffer reused at once.
    const b = Buffer.from(i % 500 === 7 ? `${'x'.repeat(300)}${i}\n` : `record ${i},"a, b"\n`);
    expected.push(Buffer.from(b));
    out.write(b);
    b.fill(0);
    if (i % 100 === 0) await out.drain();
  }
  out.write('end\n');
  expected.push(Buffer.from('end\n'));
  await out.end();
  closeSync(fd);
  expect(readFileSync(file).equals(Buffer.concat(expected))).toBe(true);
});

it('a failed write is thrown by drain and end, not lost; settle waits without throwing', async () => {
  const file = join(tempDir(), 'ro');
  writeFileSync(file, '');
  const fd = openSync(file, 'r'); // writes fail: EBADF
  const out = new BackgroundWriter(fd, 16);
  out.write(Buffer.alloc(40, 1));
  await expect(out.drain(0)).rejects.toMatchObject({ code: 'EBADF' });
  await expect(out.end()).rejects.toMatchObject({ code: 'EBADF' });
  await out.settle();
  closeSync(fd);
  expect(readFileSync(file).length).toBe(0);
});
