import { DateTime } from 'luxon';
import { readInZone } from '../engine/wall-clock.js';
import type { Policy } from '../policy/model.js';

/**
 * An instant that cannot be read; the message starts with the value, so that the caller can name
 * where it came from (`--as-of`, a test file's `as_of`).
 */
export class AsOfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AsOfError';
  }
}

/**
 * The one instant of a run. A date or a time without offset is read in the policies' timezone;
 * when the policies disagree on it, such an asOf is ambiguous and refused.
 */
export function resolveAsOf(input: string | undefined, now: DateTime, policies: readonly Policy[]): DateTime {
  const zones = [...new Set(policies.map((p) => p.timezone))];
  const zone = zones.length === 1 ? zones[0] : 'UTC';
  if (input === undefined) return now.setZone(zone);
  const text = input.trim();
  const hasOffset = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(text) && /T/i.test(text);
  if (!hasOffset && zones.length > 1) {
    throw new AsOfError(
      `${input} has no offset and the policies use different timezones (${zones.join(', ')}); give an offset, e.g. ${text.includes('T') ? text : `${text}T00:00:00`}+01:00`,
    );
  }
  // A local time that occurs twice reads as the later instant, whatever the machine's clock says.
  const dt = readInZone((z) => DateTime.fromISO(text, { zone: z }), zone);
  // Luxon reads a bracketed zone name after an offset and drops it; that is doubt, not an instant.
  if (!dt || !/^\d{4}-\d{2}-\d{2}/.test(text) || text.includes('[')) {
    throw new AsOfError(`"${input}" is not an ISO 8601 date or date-time (e.g. 2026-11-24 or 2026-11-24T00:00:00+01:00)`);
  }
  return dt.setZone(zone);
}
