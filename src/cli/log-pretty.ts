import type { Stream } from './io.js';

const NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 35: '', 40: 'warning', 50: 'error', 60: 'fatal' };
const OMIT = new Set(['level', 'time', 'name', 'msg', 'pid', 'hostname', 'exitCode', 'stack']);

/**
 * pino's JSON lines as a person reads them on a terminal: "retention: warning: <message>
 * (dataset: cdr, invalid: 3)". A notice is the message alone.
 */
export function prettyLines(stderr: Stream): { write(line: string): void } {
  return {
    write(line: string) {
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(line) as Record<string, unknown>;
      } catch {
        stderr.write(line);
        return;
      }
      const level = NAMES[Number(o.level)] ?? String(o.level);
      const fields = Object.entries(o)
        .filter(([k, v]) => !OMIT.has(k) && v !== undefined)
        .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
      // A notice's message says it all; its fields are for machines.
      const detail = fields.length > 0 && level !== '' ? ` (${fields.join(', ')})` : '';
      const stack = typeof o.stack === 'string' ? `\n${o.stack}` : '';
      stderr.write(`retention: ${level ? `${level}: ` : ''}${String(o.msg ?? '')}${detail}${stack}\n`);
    },
  };
}
