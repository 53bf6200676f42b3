import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, csvText, hmac, sha, sqliteTable, tempDir, write } from './helpers/cli.js';
import { AS_OF, CDR_POLICY, CDR_ROWS } from './helpers/policy.js';

const GENESIS = '0'.repeat(64);
const LATER = '2027-03-01T00:00:00+01:00';
const h = (s: string) => createHash('sha256').update(s).digest('hex');

function setup(kind: 'sqlite' | 'csv' = 'sqlite') {
  const dir = tempDir();
  const policy = write(dir, 'policy.yaml', CDR_POLICY);
  const source =
    kind === 'sqlite'
      ? sqliteTable(
          join(dir, 'data.db'),
          'cdr',
          CDR_ROWS.map((r) => ({ ...r, started_at: r.started_at === '' ? null : r.started_at })),
        )
      : write(dir, 'cdr.csv', csvText(CDR_ROWS, '\r\n'));
  return { dir, policy, source, log: join(dir, 'audit.jsonl'), key: join(dir, 'audit.key') };
}

async function purge(s: ReturnType<typeof setup>, asOf: string) {
  // LATER has not come yet: a purge acts at a later asOf only when told to.
  const r = await cli([
    'purge',
    '--policy',
    s.policy,
    '--source',
    s.source,
    '--as-of',
    asOf,
    '--audit-log',
    s.log,
    '--audit-key',
    s.key,
    '--allow-future-as-of',
  ]);
  expect(r.code, r.stderr).toBe(0);
}

/** Two purges appending to one log: the delete and redact lines at AS_OF, one delete line later. */
async function twoPurges() {
  const s = setup();
  await purge(s, AS_OF);
  await purge(s, LATER);
  return { ...s, lines: readFileSync(s.log, 'utf8').split('\n').slice(0, -1) };
}

async function verify(log: string, format = 'text') {
  return await cli(['audit', 'verify', log, '--format', format]);
}

/** Lines chained by hand, each prefixed with the prev field. */
function chain(bodies: string[], prev = GENESIS): string {
  return bodies
    .map((b) => {
      const line = `{"prev":"${prev}",${b.slice(1)}`;
      prev = h(line);
      return `${line}\n`;
    })
    .join('');
}

describe('audit log hash chain', () => {
  it('two purges appending to one log form an intact chain, prev first: a run line, receipts, a run line', async () => {
    const { log, lines, key } = await twoPurges();
    const entries = lines.map((l) => JSON.parse(l));
    expect(entries.map((e) => [e.type, e.event ?? e.action])).toEqual([
      ['run', 'start'],
      ['receipt', 'delete'],
      ['receipt', 'redact'],
      ['run', 'end'],
      ['run', 'start'],
      ['receipt', 'delete'],
      ['run', 'end'],
    ]);
    expect(entries[0].prev).toBe(GENESIS);
    for (let i = 1; i < lines.length; i++) expect(entries[i].prev).toBe(h(lines[i - 1]));
    expect(Object.keys(entries[1])).toEqual([
      'prev',
      'type',
      'run',
      'time',
      'asOf',
      'policy',
      'dataset',
      'rule',
      'action',
      'batch',
      'count',
      'keyHmac',
    ]);
    expect(entries[5]).toMatchObject({
      rule: 'usage-data',
      action: 'delete',
      count: 4,
      keyHmac: ['3', '4', '5', '9'].map((k) => hmac(k, key)),
    });
    expect(entries[5].run).toBe(entries[4].run);
    expect(entries[5].run).not.toBe(entries[1].run);

    const r = await verify(log);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toBe(`7 lines, chain intact; last line SHA-256 ${h(lines[6])}\n`);
    const json = JSON.parse((await verify(log, 'json')).stdout);
    expect(json).toMatchObject({ intact: true, lines: 7, chained: 7, lastLineSha256: h(lines[6]), problems: [] });
  });

  it('a log never contains a raw key or value, nor the plain SHA-256 of a key', async () => {
    const { log } = await twoPurges();
    const text = readFileSync(log, 'utf8');
    expect(text).not.toMatch(/10\.0\.0\.|"[1-9]"/);
    expect(text).not.toMatch(/"id"/);
    for (const k of ['1', '2', '3', '4', '5', '9']) expect(text).not.toContain(h(k));
  });

  const tampered: [string, (lines: string[]) => string[], number, RegExp][] = [
    ['editing a count', (l) => [l[0], l[1].replace('"count":2', '"count":3'), ...l.slice(2)], 3, /prev is not the SHA-256 of line 2/],
    ['editing a key hash', (l) => [l[0], l[1], l[2].replace(/"keyHmac":\["./, '"keyHmac":["x'), ...l.slice(3)], 4, /line 3 was changed/],
    ['deleting the first line', (l) => l.slice(1), 1, /not 0{64} as the first line/],
    ['deleting a middle line', (l) => [l[0], ...l.slice(2)], 2, /prev is not the SHA-256 of line 1/],
    ['reordering lines', (l) => [l[0], l[2], l[1], ...l.slice(3)], 2, /prev is not the SHA-256 of line 1/],
    ['inserting a line', (l) => [l[0], l[1], l[1], ...l.slice(2)], 3, /prev is not the SHA-256 of line 2/],
    ['removing the prev of a line', (l) => [l[0], l[1].replace(/^\{"prev":"[0-9a-f]{64}",/, '{'), ...l.slice(2)], 2, /not chained/],
    ['a malformed prev', (l) => [l[0], l[1].replace(/^\{"prev":"[0-9a-f]/, '{"prev":"Z'), ...l.slice(2)], 2, /malformed prev/],
    ['a line that is not JSON', (l) => [l[0], `${l[1]} trailing`, ...l.slice(2)], 2, /not JSON/],
    ['an empty line', (l) => [l[0], '', ...l.slice(1)], 2, /empty line/],
    ['an unchained line after the chain', (l) => [...l, '{"earlier":"line"}'], 8, /not chained/],
  ];
  it.each(tampered)('%s makes verify exit 1 naming the first broken line', async (_, edit, line, why) => {
    const { log, lines } = await twoPurges();
    writeFileSync(log, `${edit(lines).join('\n')}\n`);
    const r = await verify(log);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^${log.replace(/[.\\]/g, '\\$&')}:${line}: error: `, 'm'));
    expect(r.stdout).toMatch(why);
    expect(r.stdout).toMatch(new RegExp(`chain broken at line ${line}\\n$`));
    expect(JSON.parse((await verify(log, 'json')).stdout)).toMatchObject({
      intact: false,
      problems: [expect.objectContaining({ severity: 'error', line })],
    });
  });

  it('a truncated last line is torn', async () => {
    const { log, lines } = await twoPurges();
    writeFileSync(log, readFileSync(log).subarray(0, -20));
    const r = await verify(log);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/:7: error: torn last line/);
    writeFileSync(log, lines.join('\n'));
    expect((await verify(log)).stdout).toMatch(/:7: error: torn last line: it has no final newline/);
  });

  it('a changed last line keeps the chain but changes its SHA-256, which verify prints', async () => {
    const { log, lines } = await twoPurges();
    writeFileSync(log, `${[...lines.slice(0, 6), lines[6].replace('"deleted":4', '"deleted":5')].join('\n')}\n`);
    const r = await verify(log);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(h(lines[6]));
  });

  it('older lines without prev before the chain are a warning, and the chain hashes the last of them', async () => {
    const s = setup();
    writeFileSync(s.log, '{"older":"one"}\n{"earlier":"line"}\n');
    await purge(s, AS_OF);
    const lines = readFileSync(s.log, 'utf8').split('\n');
    expect(JSON.parse(lines[2]).prev).toBe(h('{"earlier":"line"}'));
    const r = await verify(s.log);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(
      /:1: warning: lines 1-2 come before the chain starts and are not chained .*covered, by the prev of line 3\n6 lines, chain intact/,
    );
    writeFileSync(s.log, readFileSync(s.log, 'utf8').replace('earlier', 'Earlier'));
    expect((await verify(s.log)).stdout).toMatch(/:3: error: prev is not the SHA-256 of line 2/);
  });

  it('a log without any chained line fails; an empty log is intact', async () => {
    const dir = tempDir();
    const old = write(dir, 'old.jsonl', '{"earlier":"line"}\n');
    const r = await verify(old);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/no line is chained/);
    const empty = write(dir, 'empty.jsonl', '');
    expect(await verify(empty)).toMatchObject({ code: 0, stdout: '0 lines, chain intact\n' });
  });

  it('lines longer than the read blocks are hashed whole, when appending and when verifying', async () => {
    const s = setup();
    const big = `{"pad":"${'a'.repeat(3 * 1024 * 1024 + 17)}"}`;
    writeFileSync(s.log, chain(['{"first":1}', big]));
    await purge(s, AS_OF);
    const lines = readFileSync(s.log, 'utf8').split('\n');
    expect(JSON.parse(lines[2]).prev).toBe(h(lines[1]));
    expect(await verify(s.log)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^6 lines, chain intact/) });
    writeFileSync(s.log, readFileSync(s.log, 'utf8').replace('aa"}', 'ab"}'));
    expect((await verify(s.log)).stdout).toMatch(/:3: error: prev is not the SHA-256 of line 2/);
  });

  it.each(['sqlite', 'csv'] as const)('a purge refuses to chain onto a torn log and changes nothing (%s)', async (kind) => {
    const s = setup(kind);
    await purge(s, AS_OF);
    writeFileSync(s.log, readFileSync(s.log).subarray(0, -5));
    const before = { source: sha(s.source), log: sha(s.log) };
    const r = await cli([
      'purge',
      '--policy',
      s.policy,
      '--source',
      s.source,
      '--as-of',
      LATER,
      '--audit-log',
      s.log,
      '--allow-future-as-of',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`audit log ${s.log} ends with an incomplete line`);
    expect(r.stderr).toContain(`retention audit verify ${s.log}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect({ source: sha(s.source), log: sha(s.log) }).toEqual(before);
  });

  it('usage errors exit 2; an unreadable file exits 1', async () => {
    const { log } = await twoPurges();
    expect((await cli(['audit', 'verify'])).code).toBe(2);
    expect((await cli(['audit', 'verify', log, '--format', 'xml'])).code).toBe(2);
    expect((await cli(['audit'])).code).toBe(2);
    const r = await cli(['audit', 'verify', join(tempDir(), 'missing.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read audit log .*missing\.jsonl/);
  });
});
