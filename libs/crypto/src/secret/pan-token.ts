import { createHmac } from 'node:crypto';
import { CryptoError } from '../primitives';
import { Pan } from './pan';
import { exposeBytes, SecretBytes } from './secret';

/**
 * A PAN token: lower-case hex of HMAC-SHA-256(tokenKey, PAN digits as ASCII).
 * Deterministic, so equal PANs give equal tokens and a stored PAN is found
 * by its token; without the key it cannot be reversed or brute-forced over
 * the small PAN space (which is why a plain hash would not do).
 */
export type PanToken = string & { readonly __brand: 'PanToken' };

/** RFC 2104 §3: a key shorter than the hash output (32 bytes) weakens the MAC. */
export const PAN_TOKEN_KEY_MIN_LENGTH = 32;

const TOKEN_FORM = /^[0-9a-f]{64}$/;

export function tokenizePan(pan: Pan, tokenKey: SecretBytes): PanToken {
  const key = exposeBytes(tokenKey);
  if (key.length < PAN_TOKEN_KEY_MIN_LENGTH) {
    throw new CryptoError(
      'INVALID_KEY_LENGTH',
      `PAN token key must be at least ${PAN_TOKEN_KEY_MIN_LENGTH} bytes, got ${key.length}`,
      'tokenKey',
    );
  }
  return createHmac('sha256', key).update(pan.reveal(), 'ascii').digest('hex') as PanToken;
}

/** Narrows a string read back from storage to a PanToken, checking its form. */
export function asPanToken(value: string): PanToken {
  if (!TOKEN_FORM.test(value)) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      'PAN token must be 64 lower-case hex digits',
      'token',
    );
  }
  return value as PanToken;
}
