import { createHash, randomBytes } from 'node:crypto';

/** Randomness port: `length` random bytes. Injected so test cards can be reproducible. */
export type RandomSource = (length: number) => Uint8Array;

export const systemRandom: RandomSource = (length) => new Uint8Array(randomBytes(length));

/**
 * Deterministic bytes from a seed (SHA-256 in counter mode). For reproducible
 * test fixtures only: the output is predictable to anyone with the seed.
 */
export function seededRandom(seed: string): RandomSource {
  let counter = 0;
  let pool = new Uint8Array(0);
  return (length) => {
    while (pool.length < length) {
      const block = createHash('sha256').update(seed).update(String(counter++)).digest();
      const next = new Uint8Array(pool.length + block.length);
      next.set(pool);
      next.set(block, pool.length);
      pool = next;
    }
    const out = pool.slice(0, length);
    pool = pool.slice(length);
    return out;
  };
}

/** A uniformly random decimal string (rejection sampling, no modulo bias). */
export function randomDigits(random: RandomSource, count: number): string {
  let digits = '';
  while (digits.length < count) {
    for (const b of random(count)) {
      if (b < 250 && digits.length < count) digits += String(b % 10);
    }
  }
  return digits;
}
