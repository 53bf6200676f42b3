/**
 * A one-line progress bar on stderr for scans that take more than a second: records (or bytes)
 * per second and, with a known total, the percentage and time left. Only on a terminal.
 */
import type { Stream } from './io.js';

type Bar = ReturnType<typeof makeBar>;
/** One bar per stream, cleared before results are printed and at exit. */
const bars = new Map<Stream, Bar>();
let clearing = false;

/** The progress bar of a terminal stream. */
export function progressBar(stream: Stream): Bar {
  let bar = bars.get(stream);
  if (!bar) {
    bar = makeBar(stream);
    bars.set(stream, bar);
  }
  if (!clearing) {
    clearing = true;
    process.on('exit', () => {
      for (const b of bars.values()) b.done();
    });
  }
  return bar;
}

/** Clears the bar of a stream, if it shows one. */
export function clearProgress(stream: Stream): void {
  bars.get(stream)?.done();
}

function makeBar(stream: Stream) {
  let phaseKey = '',
    started = 0,
    shownAt = 0,
    visible = false;
  const update = (phase: string, dataset: string, done: number, total: number, unit: 'rows' | 'bytes') => {
    const now = Date.now();
    const key = `${phase}/${dataset}`;
    if (key !== phaseKey) {
      phaseKey = key;
      started = now;
    }
    const elapsed = (now - started) / 1000;
    if (elapsed < 1 || now - shownAt < 100) return;
    shownAt = now;
    const rate = done / elapsed;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const width = 24,
      filled = Math.round(frac * width);
    const eta = rate > 0 && total > done ? ` ETA ${Math.ceil((total - done) / rate)}s` : '';
    const speed = unit === 'rows' ? `${Math.round(rate).toLocaleString('en')} records/s` : `${(rate / 1e6).toFixed(1)} MB/s`;
    stream.write(
      `\r\x1b[K${phase} ${dataset} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(0)}% ${speed}${eta}`,
    );
    visible = true;
  };
  const done = () => {
    if (visible) stream.write('\r\x1b[K');
    visible = false;
  };
  return { update, done };
}
