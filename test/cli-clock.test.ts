import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, csvText, fakeClock, sqliteTable, tempDir, write } from './helpers/cli.js';

// SPEC §1: no decision depends on the machine's clock or timezone, only on the data, the
// policies and asOf. A local time in the repeated hour reads as its later instant.
const POLICY = `version: 1
name: fold
timezone: Europe/Amsterdam
datasets:
  events: { key: id }
rules:
  - id: at-once
    dataset: events
    from: at
    delete_after: 0 days
`;
const ROWS = [
  { id: 1, at: '2026-10-25 02:30:00' }, // the repeated hour: 01:30Z (later), not 00:30Z
  { id: 2, at: '2026-10-25T02:30:00' },
  { id: 3, at: '2026-10-25 01:59:59' }, // before the fold, due
  { id: 4, at: '2026-03-29 02:30:00' }, // the skipped hour: 03:30+02:00, long due
];

describe('one answer, whatever the clock', () => {
  it.each(['sqlite', 'csv'] as const)('%s: the plan is the same with the clock in July and in December', async (kind) => {
    const dir = tempDir();
    const policy = write(dir, 'fold.yaml', POLICY);
    const source = kind === 'sqlite' ? sqliteTable(join(dir, 'd.db'), 'events', ROWS) : write(dir, 'events.csv', csvText(ROWS));
    const plans: { counts: unknown; records: string[] }[] = [];
    for (const now of ['2026-07-01T12:00:00Z', '2026-12-01T12:00:00Z']) {
      const r = await cli(
        ['purge', '--dry-run', '--policy', policy, '--source', source, '--as-of', '2026-10-25T02:30:00+02:00', '--format', 'json'],
        { env: { ...fakeClock(now), TZ: now.includes('-07-') ? 'Asia/Tokyo' : 'America/Los_Angeles' } },
      );
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout);
      plans.push({ counts: doc.datasets, records: doc.records.map((x: { key: string }) => x.key) });
    }
    expect(plans[0]).toEqual(plans[1]);
    expect(plans[0].records).toEqual(['3', '4']);
  });

  it('an --as-of in the repeated hour without offset is its later instant, in July and in December', async () => {
    const dir = tempDir();
    const policy = write(dir, 'fold.yaml', POLICY);
    const source = sqliteTable(join(dir, 'd.db'), 'events', ROWS);
    for (const now of ['2026-07-01T12:00:00Z', '2026-12-01T12:00:00Z']) {
      const r = await cli(
        ['report', '--policy', policy, '--source', source, '--as-of', '2026-10-25T02:30:00', '--format', 'json', '--records'],
        {
          env: fakeClock(now),
        },
      );
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.asOf).toBe('2026-10-25T02:30:00.000+01:00');
      expect(doc.records.map((x: { key: string }) => x.key)).toEqual(['1', '2', '3', '4']);
    }
  });
});
