import { DateTime, IANAZone } from 'luxon';

const DAY = 86_400_000;

/**
 * Reads a timestamp that may lack an offset, without depending on the machine's clock: Luxon
 * guesses the offset of a local time from the current one (Settings.now), so a time that occurs
 * twice would read differently in July and in December. `parse(zone)` reads the text with that
 * default zone. A time with its own offset is that instant; a local time in `zone` that occurs
 * twice (the repeated hour when DST ends) is its later instant; one that does not exist (the
 * skipped hour) is moved forward by the gap (SPEC §1).
 */
export function readInZone(parse: (zone: string) => DateTime, zone: string): DateTime | undefined {
  const utc = parse('UTC');
  if (!utc.isValid) return undefined;
  // The same instant under two default zones: the text carried its own offset.
  const shifted = parse('UTC+5');
  if (shifted.isValid && shifted.toMillis() === utc.toMillis()) return utc.setZone(zone);
  const t = fromWallClock(utc.toMillis(), zone);
  return t === undefined ? undefined : DateTime.fromMillis(t, { zone });
}

/**
 * The instant at which the clocks of `zone` show `wall` (a wall-clock time written as if UTC):
 * the later one where it occurs twice, the wall time moved forward by the gap where it does not
 * occur. Offsets are read a day either side, beyond any one transition.
 */
function fromWallClock(wall: number, zone: string): number | undefined {
  const z = IANAZone.create(zone);
  if (!z.isValid) return undefined;
  const before = z.offset(wall - DAY),
    after = z.offset(wall + DAY);
  let best: number | undefined;
  for (const off of [before, after]) {
    const t = wall - off * 60_000;
    if (z.offset(t) === off && (best === undefined || t > best)) best = t;
  }
  // In a gap neither offset fits: read with the offset before it, which lands past the gap.
  return best ?? wall - before * 60_000;
}
