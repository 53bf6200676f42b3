/** mulberry32: a tiny seeded PRNG with floats in [0, 1) (see prng.mjs). */
export function mulberry32(seed: number): () => number;
