import { createHash } from 'node:crypto';
import { bytesEqual, concatBytes } from '../shared/bytes';
import { OdaError } from './oda.error';
import { checkRecoveryKey, rsaRecover, type RsaPublicKey } from './rsa';

export const HEADER = 0x6a;
export const TRAILER = 0xbc;
export const HASH_LENGTH = 20;
/** Book 2 Annex B3: Hash Algorithm Indicator '01' = SHA-1. */
export const SHA1_INDICATOR = 0x01;
/** Book 2 Annex B2: Public Key Algorithm Indicator '01' = RSA. */
export const RSA_INDICATOR = 0x01;

export interface RecoveryStep {
  /** Name of the signed data element, e.g. 'Issuer Public Key Certificate (90)'. */
  readonly what: string;
  /** Name of the key recovering it, e.g. 'CA public key'. */
  readonly keyName: string;
  /** Clause of the procedure, e.g. 'Book 2 §5.3'. */
  readonly clause: string;
  /** Expected Certificate / Signed Data Format byte. */
  readonly format: number;
}

/**
 * Steps 1 to 4 shared by every Book 2 procedure (§5.3, §5.4, §6.3, §6.4,
 * §6.5.2, §6.6.2): signed data as long as the modulus, recovery, trailer
 * 'BC', header '6A', expected format.
 */
export function recoverSignedData(
  key: RsaPublicKey,
  signed: Uint8Array,
  step: RecoveryStep,
): Uint8Array {
  checkRecoveryKey(key, step.keyName, `${step.clause} (key)`);
  if (signed.length !== key.modulus.length) {
    throw new OdaError(
      'SIGNATURE_LENGTH',
      `${step.clause} step 1`,
      `${step.what} is ${signed.length} bytes; the ${step.keyName} modulus is ${key.modulus.length}`,
    );
  }
  const recovered = rsaRecover(key, signed, `${step.clause} step 2`);
  if (recovered[recovered.length - 1] !== TRAILER) {
    throw new OdaError(
      'RECOVERED_DATA_TRAILER',
      `${step.clause} step 2`,
      `${step.what}: Recovered Data Trailer is not 'BC'`,
    );
  }
  if (recovered[0] !== HEADER) {
    throw new OdaError(
      'RECOVERED_DATA_HEADER',
      `${step.clause} step 3`,
      `${step.what}: Recovered Data Header is not '6A'`,
    );
  }
  if (recovered[1] !== step.format) {
    const expected = step.format.toString(16).padStart(2, '0');
    throw new OdaError(
      'DATA_FORMAT',
      `${step.clause} step 4`,
      `${step.what}: format is not '${expected}'`,
    );
  }
  return recovered;
}

/** Hash steps: indicator '01', SHA-1 over `parts`, compared with the recovered Hash Result. */
export function checkHash(
  hashAlgorithm: number,
  parts: readonly Uint8Array[],
  hashResult: Uint8Array,
  what: string,
  check: string,
): void {
  if (hashAlgorithm !== SHA1_INDICATOR) {
    throw new OdaError(
      'HASH_ALGORITHM',
      check,
      `${what}: Hash Algorithm Indicator ${hashAlgorithm} is not SHA-1 ('01')`,
    );
  }
  const hash = createHash('sha1')
    .update(concatBytes(...parts))
    .digest();
  if (!bytesEqual(new Uint8Array(hash), hashResult)) {
    throw new OdaError(
      'HASH_MISMATCH',
      check,
      `${what}: Hash Result does not match the signed data`,
    );
  }
}

/** The part of recovered data that is hashed: everything between header and Hash Result. */
export function hashedPart(recovered: Uint8Array): Uint8Array {
  return recovered.subarray(1, recovered.length - HASH_LENGTH - 1);
}

export function hashResultOf(recovered: Uint8Array): Uint8Array {
  return recovered.slice(recovered.length - HASH_LENGTH - 1, recovered.length - 1);
}
