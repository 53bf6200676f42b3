import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvEncoding } from '../src/sources/csv/encoding.js';
import { cli, logLines, logText, sha, tempDir, write } from './helpers/cli.js';
import { AS_OF, CDR_POLICY } from './helpers/policy.js';

// CSV files as spreadsheets and other people's tools write them: another delimiter, another encoding.

const HEADER = ['id', 'name', 'started_at', 'service', 'ip_address', 'legal_hold'];
/** At AS_OF by CDR_POLICY: 1 is deleted, 4 redacted (ip_address), 5 kept. */
const ROWS = [
  ['1', 'Jansen', '2026-01-01T10:00:00+01:00', 'voip', '10.0.0.1', '0'],
  ['4', '"de Vries, P."', '2026-07-01 12:00:00', 'voip', '10.0.0.4', '0'],
  ['5', 'Bakker', '2026-08-01', 'voip', '10.0.0.5', '0'],
];
const line = (fields: readonly string[], d: string) => `${fields.join(d)}\r\n`;
const file = (d: string, rows = ROWS) => line(HEADER, d) + rows.map((r) => line(r, d)).join('');
/** The file after the purge: 1 gone, 4 rewritten with ip_address empty and minimal quoting (no comma, no quotes), 5 as it was. */
const purged = (d: string) =>
  line(HEADER, d) +
  line(['4', d === ',' ? '"de Vries, P."' : 'de Vries, P.', '2026-07-01 12:00:00', 'voip', '', '0'], d) +
  line(ROWS[2]!, d);

const run = (cmd: string, policy: string, source: string, ...more: string[]) =>
  cli([cmd, '--policy', policy, '--source', source, '--as-of', AS_OF, '--format', 'json', ...more]);

describe('--delimiter auto', () => {
  it.each([
    [';', ';'],
    ['\t', 'tab'],
    ['|', '|'],
  ])('finds %j in the header (quotes respected), says so in the JSON source, and purges with it', async (d) => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', CDR_POLICY);
    const source = write(dir, 'cdr.csv', file(d));
    const report = await run('report', policy, source, '--delimiter', 'auto');
    expect(report.code, report.stderr).toBe(0);
    const doc = JSON.parse(report.stdout);
    expect(doc.source).toMatchObject({ kind: 'csv', delimiters: { cdr: d }, encoding: 'utf-8' });
    expect(doc.datasets[0]).toMatchObject({ scanned: 3, delete: 1, redact: 1, keep: 1 });
    const purge = await run('purge', policy, source, '--delimiter', 'auto');
    expect(purge.code, purge.stderr).toBe(0);
    expect(readFileSync(source, 'utf8')).toBe(purged(d));
  });

  it('keeps a UTF-8 BOM and says the delimiter it chose in the debug log', async () => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', CDR_POLICY);
    const source = write(dir, 'cdr.csv', `\ufeff${file(';')}`);
    const purge = await run('purge', policy, source, '--delimiter', 'auto', '--log-level', 'debug');
    expect(purge.code, purge.stderr).toBe(0);
    const opened = logLines(purge.stderr).find((l) => l.msg === 'source opened') as { source: unknown };
    expect(opened.source).toMatchObject({ delimiters: { cdr: ';' } });
    expect(readFileSync(source, 'utf8')).toBe(`\ufeff${purged(';')}`);
  });

  it('finds each file of a directory its own delimiter', async () => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', CDR_POLICY);
    write(dir, 'cdr.csv', file(';'));
    write(dir, 'other.csv', 'a\tb\n1\t2\n');
    const report = await run('report', policy, dir, '--delimiter', 'auto');
    expect(report.code, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout).source.delimiters).toEqual({ cdr: ';', other: '\t' });
  });

  it.each([
    [
      'two delimiters split the header alike',
      'id,name;x\n1,a;b\n',
      /',' and ';' both split the header and the first records into 2 fields/,
    ],
    ['the records disagree with the header', 'id;name;x\n1;a;b\n2;c\n', /';' splits the header into 3 fields but line 3 into 2/],
  ])('refuses a file whose delimiter it cannot tell (%s): exit 1, asks for --delimiter, nothing changed', async (_, text, message) => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', CDR_POLICY);
    const source = write(dir, 'cdr.csv', text);
    const before = sha(source);
    const purge = await run('purge', policy, source, '--delimiter', 'auto');
    expect(purge.code).toBe(1);
    expect(logText(purge.stderr)).toMatch(message);
    expect(logText(purge.stderr)).toMatch(/cannot tell the delimiter of .*cdr\.csv: .*; give --delimiter/);
    expect(purge.stderr).not.toMatch(/\n\s+at /);
    expect(sha(source)).toBe(before);
  });

  it('is not the default: a ;-separated file read with , gets the one-column hint', async () => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', CDR_POLICY);
    const source = write(dir, 'cdr.csv', file(';'));
    const r = await run('report', policy, source);
    expect(r.code).toBe(1);
    expect(logText(r.stderr)).toContain(
      `${source}: the header has one column; is the delimiter ';'? Give --delimiter ';' (or --delimiter auto)`,
    );
  });
});

describe('a header of one column', () => {
  it.each([
    [';', "';'"],
    ['\t', 'tab'],
    ['|', "'|'"],
  ])('split by %j names that delimiter instead of listing every missing column', async (d, named) => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', CDR_POLICY);
    const source = write(dir, 'cdr.csv', file(d));
    const before = sha(source);
    const r = await run('purge', policy, source);
    expect(r.code).toBe(1);
    expect(logText(r.stderr)).toContain(`the header has one column; is the delimiter ${named}?`);
    expect(r.stderr).not.toMatch(/has no column/);
    expect(sha(source)).toBe(before);
  });

  it('that no delimiter splits lists the missing columns as before', async () => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', CDR_POLICY);
    const source = write(dir, 'cdr.csv', 'started_at\n2026-01-01\n');
    const r = await run('report', policy, source);
    expect(r.code).toBe(1);
    expect(logText(r.stderr)).toMatch(/has no column "legal_hold"/);
    expect(r.stderr).not.toMatch(/one column/);
  });
});

describe('--encoding', () => {
  /** The policy redacts only records of service "téléphonie": a match shows é was decoded. */
  const POLICY = CDR_POLICY.replace('where: { service: voip }', 'where: { service: "téléphonie" }');
  /** Bytes of text in windows-1252 / latin1 (only characters in both, and € at 0x80), written out by hand. */
  const bytes = (text: string) => Buffer.from(text.replace('€', '\x80'), 'latin1');
  const RECORDS = [
    '1;José;2026-01-01T10:00:00+01:00;téléphonie;10.0.0.1;0\r\n',
    '4;"Renée ""R"" €";2026-07-01 12:00:00;téléphonie;10.0.0.4;0\r\n',
    '5;"Zoë; jr";2026-08-01;téléphonie;10.0.0.5;0\r\n',
  ];
  const original = () => bytes(line(HEADER, ';') + RECORDS.join(''));
  const expected = () => bytes(`${line(HEADER, ';')}4;"Renée ""R"" €";2026-07-01 12:00:00;téléphonie;;0\r\n${RECORDS[2]}`);

  it.each(['windows-1252', 'cp1252', 'latin1'])(
    'reads a %s export (values decoded, é compared and printed) and writes the redacted record back in it, every other byte as it was',
    async (encoding) => {
      const dir = tempDir();
      const policy = write(dir, 'p.yaml', POLICY);
      const source = join(dir, 'cdr.csv');
      writeFileSync(source, original());
      const args = ['--delimiter', 'auto', '--encoding', encoding];
      const report = await run('report', policy, source, ...args);
      expect(report.code, report.stderr).toBe(0);
      const doc = JSON.parse(report.stdout);
      expect(doc.source).toMatchObject({ delimiters: { cdr: ';' }, encoding });
      expect(doc.datasets[0]).toMatchObject({ scanned: 3, delete: 1, redact: 1, keep: 1, invalid: 0 });
      // Found by a key with é and € (0x80 in windows-1252; in latin1 a control character).
      const byName = write(dir, 'by-name.yaml', POLICY.replace('key: id', 'key: name'));
      const ex = await cli([
        'explain',
        '--policy',
        byName,
        '--source',
        source,
        '--dataset',
        'cdr',
        '--key',
        encoding === 'latin1' ? 'Renée "R" \u0080' : 'Renée "R" €',
        '--as-of',
        AS_OF,
        '--format',
        'json',
        ...args,
      ]);
      expect(ex.code, ex.stderr).toBe(0);
      expect(JSON.parse(ex.stdout)).toMatchObject({ values: { service: 'téléphonie', ip_address: '10.0.0.4' }, action: 'redact' });
      const purge = await run('purge', policy, source, ...args);
      expect(purge.code, purge.stderr).toBe(0);
      expect(readFileSync(source).equals(expected())).toBe(true);
    },
  );

  it('read as UTF-8 (the default) the same bytes match nothing and are not rewritten', async () => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', POLICY);
    const source = join(dir, 'cdr.csv');
    writeFileSync(source, original());
    const dry = await run('purge', policy, source, '--delimiter', ';', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    // "t\xe9l\xe9phonie" is not valid UTF-8: it reads as t\ufffdl\ufffdphonie, not the policy's value.
    expect(JSON.parse(dry.stdout).datasets[0]).toMatchObject({ delete: 1, redact: 0 });
  });

  it('keeps a record due for redaction that holds a byte windows-1252 leaves undefined (0x81), as doubt; latin1 has it', async () => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', POLICY);
    const source = join(dir, 'cdr.csv');
    const text = Buffer.concat([bytes(line(HEADER, ';')), bytes('4;Ren\x81e;2026-07-01 12:00:00;téléphonie;10.0.0.4;0\r\n')]);
    writeFileSync(source, text);
    const cp = await run('purge', policy, source, '--delimiter', ';', '--encoding', 'windows-1252');
    expect(cp.code, cp.stderr).toBe(0);
    expect(JSON.parse(cp.stdout).datasets[0]).toMatchObject({ redact: 0, invalid: 1 });
    expect(readFileSync(source).equals(text)).toBe(true);
    const ex = await cli([
      'explain',
      '--policy',
      policy,
      '--source',
      source,
      '--dataset',
      'cdr',
      '--key',
      '4',
      '--as-of',
      AS_OF,
      '--format',
      'json',
      '--delimiter',
      ';',
      '--encoding',
      'windows-1252',
    ]);
    expect(JSON.parse(ex.stdout)).toMatchObject({
      action: 'keep',
      problem: expect.stringMatching(/bytes that windows-1252 leaves undefined/),
    });
    const l1 = await run('purge', policy, source, '--delimiter', ';', '--encoding', 'latin1');
    expect(l1.code, l1.stderr).toBe(0);
    expect(readFileSync(source).equals(bytes(`${line(HEADER, ';')}4;Ren\x81e;2026-07-01 12:00:00;téléphonie;;0\r\n`))).toBe(true);
  });

  it('refuses to write back a character the encoding lacks', () => {
    expect(csvEncoding('latin1').encode('Renée €')).toBeUndefined();
    expect(csvEncoding('windows-1252').encode('Renée €')?.equals(bytes('Renée €'))).toBe(true);
    expect(csvEncoding('windows-1252').encode('日本')).toBeUndefined();
  });

  it.each([
    ['an unknown name', 'klingon', /unknown encoding "klingon"; supported are e\.g\. utf-8, windows-1252/],
    ['UTF-16', 'utf-16le', /encoding "utf-16le" is not supported: only UTF-8 and single-byte encodings/],
    ['Shift_JIS', 'shift_jis', /encoding "shift_jis" is not supported/],
  ])('%s is wrong usage (exit 2), for explain too', async (_, name, message) => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', CDR_POLICY);
    const source = write(dir, 'cdr.csv', file(','));
    const r = await run('purge', policy, source, '--encoding', name);
    expect(r.code).toBe(2);
    expect(logText(r.stderr)).toMatch(message);
    const ex = await cli(['explain', '--policy', policy, '--source', source, '--dataset', 'cdr', '--key', '1', '--encoding', name]);
    expect(ex.code).toBe(2);
    expect(logText(ex.stderr)).toMatch(message);
  });

  it('refuses a UTF-16 file, and a UTF-8 one (BOM) read as windows-1252, with what to do; nothing changed', async () => {
    const dir = tempDir();
    const policy = write(dir, 'p.yaml', CDR_POLICY);
    const utf16 = join(dir, 'cdr.csv');
    writeFileSync(utf16, Buffer.concat([Buffer.of(0xff, 0xfe), Buffer.from(file(','), 'utf16le')]));
    const before = sha(utf16);
    const a = await run('purge', policy, utf16);
    expect(a.code).toBe(1);
    expect(logText(a.stderr)).toMatch(/starts with a UTF-16 byte order mark: UTF-16 is not supported; convert the file to UTF-8/);
    expect(sha(utf16)).toBe(before);
    writeFileSync(utf16, `\ufeff${file(',')}`);
    const b = await run('purge', policy, utf16, '--encoding', 'windows-1252');
    expect(b.code).toBe(1);
    expect(logText(b.stderr)).toMatch(/starts with a UTF-8 byte order mark, so it is UTF-8, not windows-1252; drop --encoding/);
  });
});
