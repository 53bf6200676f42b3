/** Exit codes (SPEC §4). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  refused: 3,
  due: 4,
  planMismatch: 5,
} as const;
