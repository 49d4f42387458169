import { createHash } from 'node:crypto';
import { bytesEqual, concatBytes } from '../shared/bytes';
import type { CaPublicKey } from './oda.types';

/**
 * EMV Book 2 Certification Authority Public Key Check Sum: SHA-1 of
 * RID, CA Public Key Index, modulus and exponent. Terminals verify it when a
 * CA key is loaded, before trusting it for any card.
 */
export function caPublicKeyChecksum(key: CaPublicKey): Uint8Array {
  if (key.rid.length !== 5 || !Number.isInteger(key.index) || key.index < 0 || key.index > 0xff) {
    throw new RangeError('a CA public key needs a 5-byte RID and a one-byte index');
  }
  const data = concatBytes(key.rid, Uint8Array.of(key.index), key.modulus, key.exponent);
  return new Uint8Array(createHash('sha1').update(data).digest());
}

export function isCaPublicKeyChecksumValid(key: CaPublicKey, checksum: Uint8Array): boolean {
  return bytesEqual(caPublicKeyChecksum(key), checksum);
}
