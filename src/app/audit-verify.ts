import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { UserError } from '../errors.js';
import { GENESIS, PREV_FIELD } from './audit-log.js';

/** One finding of `audit verify`; `line` is 1-based, absent when it concerns the whole file. */
export interface ChainProblem {
  readonly severity: 'error' | 'warning';
  readonly line?: number;
  readonly message: string;
}

/** What `audit verify` found. `intact` is false exactly when `problems` holds an error. */
export interface ChainResult {
  readonly file: string;
  /** Lines read: all of them when intact, up to the first broken one otherwise. */
  readonly lines: number;
  /** Lines carrying a `prev` that matched. */
  readonly chained: number;
  readonly intact: boolean;
  /** SHA-256 of the last line (null for an empty file): record it elsewhere to protect that line too. */
  readonly lastLineSha256: string | null;
  readonly problems: readonly ChainProblem[];
}

// `{"prev":"` + 64 hex digits + `"` + the `,` or `}` after it.
const HEAD_BYTES = PREV_FIELD.length + 64 + 2;
const HEAD = new RegExp(`^${PREV_FIELD.replace(/[{}]/g, '\\$&')}([0-9a-f]{64})"[,}]`);
const NEWLINE = 0x0a;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACE = 0x7b;

/**
 * Checks the hash chain of an audit log, stopping at the first broken line. The file is read in
 * blocks and each line hashed as it streams by; only a line's first bytes and its last byte are
 * kept, so a line of hundreds of megabytes costs no more memory than a short one. Lines before
 * the first chained line (an older format) are a warning; any other line without a matching
 * `prev`, a line that is not a JSON object, and a torn last line are errors.
 */
export async function verifyAuditLog(file: string): Promise<ChainResult> {
  const problems: ChainProblem[] = [];
  let lines = 0;
  let chained = 0;
  let legacy = 0;
  let expected = GENESIS;
  let lastLineSha256: string | null = null;
  let broken = false;

  const head = Buffer.alloc(HEAD_BYTES);
  let headLen = 0;
  let lineLen = 0;
  let lastByte = -1;
  let hash: Hash = createHash('sha256');

  const take = (seg: Buffer): void => {
    if (seg.length === 0) return;
    hash.update(seg);
    if (headLen < HEAD_BYTES) headLen += seg.copy(head, headLen, 0, HEAD_BYTES - headLen);
    lineLen += seg.length;
    lastByte = seg[seg.length - 1];
  };

  const endLine = (): void => {
    lines++;
    const digest = hash.digest('hex');
    const problem = check(lines, head.subarray(0, headLen), lineLen, lastByte, expected, chained > 0);
    if (problem === 'legacy') legacy++;
    else if (problem) {
      problems.push({ severity: 'error', line: lines, message: problem });
      broken = true;
    } else chained++;
    expected = digest;
    lastLineSha256 = digest;
    hash = createHash('sha256');
    headLen = 0;
    lineLen = 0;
    lastByte = -1;
  };

  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      let pos = 0;
      for (let nl = chunk.indexOf(NEWLINE, pos); nl >= 0 && !broken; nl = chunk.indexOf(NEWLINE, pos)) {
        take(chunk.subarray(pos, nl));
        endLine();
        pos = nl + 1;
      }
      if (broken) break;
      take(chunk.subarray(pos));
    }
  } catch (e) {
    throw new UserError(`cannot read audit log ${file}: ${(e as Error).message}`);
  }

  if (!broken && lineLen > 0) {
    problems.push({
      severity: 'error',
      line: lines + 1,
      message:
        'torn last line: it has no final newline (a write was cut short); keep a copy of the file and remove that line before the next purge',
    });
    lines++;
    broken = true;
  }
  if (legacy > 0) {
    const which = legacy === 1 ? 'line 1 comes' : `lines 1-${legacy} come`;
    const cover = chained > 0 ? `; only line ${legacy} is covered, by the prev of line ${legacy + 1}` : '';
    problems.unshift({
      severity: 'warning',
      line: 1,
      message: `${which} before the chain starts and ${legacy === 1 ? 'is' : 'are'} not chained (older format, no "prev")${cover}`,
    });
  }
  if (!broken && lines > 0 && chained === 0) {
    problems.push({
      severity: 'error',
      message: `no line is chained: none starts with ${PREV_FIELD}<sha256>"; this is not an audit log with receipts`,
    });
    broken = true;
  }
  return { file, lines, chained, intact: !broken, lastLineSha256, problems };
}

/**
 * Why line n breaks the chain, 'legacy' for an unchained line before the chain starts, or
 * undefined when it is a well-formed chained line whose prev is `expected`.
 */
function check(
  n: number,
  head: Buffer,
  length: number,
  lastByte: number,
  expected: string,
  chainStarted: boolean,
): string | 'legacy' | undefined {
  const hasPrev = head.subarray(0, PREV_FIELD.length).toString('latin1') === PREV_FIELD;
  if (!hasPrev && !chainStarted) return 'legacy';
  if (length === 0) return 'empty line: not chained';
  if (head[0] !== OPEN_BRACE || lastByte !== CLOSE_BRACE) return 'not JSON: a line must be one JSON object, from { to }';
  if (!hasPrev) return `not chained: the line does not start with ${PREV_FIELD}<sha256>"`;
  const m = HEAD.exec(head.toString('latin1'));
  if (!m) return 'malformed prev: it must be 64 lowercase hex digits';
  if (m[1] === expected) return undefined;
  return n === 1
    ? `prev is ${m[1]}, not ${GENESIS} as the first line of a log must have (lines were removed before it)`
    : `prev is not the SHA-256 of line ${n - 1}: line ${n - 1} was changed, or lines were removed, inserted or reordered around it`;
}
