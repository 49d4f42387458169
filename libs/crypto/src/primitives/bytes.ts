import { timingSafeEqual } from 'node:crypto';
import { CryptoError } from './crypto-error';

/** Byte-wise XOR of two equal-length buffers, as a new buffer. */
export function xor(a: Buffer, b: Buffer): Buffer {
  if (a.length !== b.length) {
    throw new CryptoError('LENGTH_MISMATCH', `cannot XOR ${a.length} bytes with ${b.length} bytes`);
  }
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/**
 * Compares MACs, cryptograms and check values without a data-dependent early
 * exit. Lengths are public, so different lengths return false at once.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** DES keys carry one parity bit per byte (FIPS 46-3 §3): the low bit makes the byte's bit count odd. */
export function adjustOddParity(key: Buffer): Buffer {
  const out = Buffer.from(key);
  for (let i = 0; i < out.length; i++) {
    const high = out[i]! & 0xfe;
    out[i] = high | (popcount(high) % 2 === 0 ? 1 : 0);
  }
  return out;
}

export function hasOddParity(key: Buffer): boolean {
  return key.every((byte) => popcount(byte) % 2 === 1);
}

function popcount(byte: number): number {
  let count = 0;
  for (let b = byte; b !== 0; b >>= 1) count += b & 1;
  return count;
}
