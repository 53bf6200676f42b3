// Seeded randomness for the demo data: one stream at a time, set with reseed(). Nothing here
// reads the clock or Math.random, so the same seed gives the same records.

import { mulberry32 } from '../prng.mjs';

export const SEED = 20261120;

let rnd = mulberry32(SEED);

/** Starts the stream again from `seed`. */
export function reseed(seed) {
  rnd = mulberry32(seed);
}

/** FNV-1a of a string: each dataset draws from its own stream (SEED ^ hash(name)), so editing one leaves the others unchanged. */
export function hash(s) {
  let h = 2166136261;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

export const random = () => rnd();
export const int = (a, b) => a + Math.floor(rnd() * (b - a + 1));
export const between = (a, b) => a + Math.floor(rnd() * Math.max(0, b - a));
export const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
export const chance = (p) => rnd() < p;
export const digits = (n) => Array.from({ length: n }, () => int(0, 9)).join('');
export const times = (n, f) => Array.from({ length: n }, (_, i) => f(i));

/** One of the values, by weight: weighted(['a', 3], ['b', 1]). */
export function weighted(...pairs) {
  const total = pairs.reduce((s, [, w]) => s + w, 0);
  let r = rnd() * total;
  for (const [v, w] of pairs) {
    r -= w;
    if (r < 0) return v;
  }
  return pairs[pairs.length - 1][0];
}

/** Long-tailed positive number with the given mean (call durations, response times). */
export const expo = (mean) => -Math.log(1 - rnd()) * mean;
export const money = (lo, hi) => Math.round((lo + rnd() * (hi - lo)) * 100) / 100;
