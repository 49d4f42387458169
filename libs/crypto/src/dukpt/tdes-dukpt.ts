import { desEncryptEcb, tdesEncryptEcb } from '../primitives/block-cipher';
import { xor } from '../primitives/bytes';
import { CryptoError } from '../primitives/crypto-error';
import { hexToBytes } from '../primitives/hex';
import { parseTdesKsn, tdesInitialKsn } from './ksn';

/**
 * Host-side TDES DUKPT, ANSI X9.24-1:2009 Annex A. All keys are 16-byte
 * 2TDEA keys; the BDK must be 16 bytes.
 */
export type TdesDukptUsage =
  'pin' | 'mac-request' | 'mac-response' | 'data-request' | 'data-response';

export const TDES_DUKPT_USAGES: readonly TdesDukptUsage[] = [
  'pin',
  'mac-request',
  'mac-response',
  'data-request',
  'data-response',
];

// X9.24-1:2009 Annex A: the C0C0C0C0 mask, for the IPEK right half and each new key's left half.
const KEY_MASK = hexToBytes('C0C0C0C000000000C0C0C0C000000000');

// X9.24-1:2009 Annex A: variant masks per working key usage (2009 adds the response variants).
const VARIANTS: Record<TdesDukptUsage, Buffer> = {
  pin: hexToBytes('00000000000000FF00000000000000FF'),
  'mac-request': hexToBytes('000000000000FF00000000000000FF00'),
  'mac-response': hexToBytes('00000000FF00000000000000FF000000'),
  'data-request': hexToBytes('0000000000FF00000000000000FF0000'),
  'data-response': hexToBytes('000000FF00000000000000FF00000000'),
};

/** X9.24-1:2009 A.6 "Derivation of the Initial Key": IPEK from the BDK and the KSN (its counter is ignored). */
function deriveIpek(bdk: Buffer, ksn: Buffer): Buffer {
  checkKey(bdk, 'bdk');
  const data = tdesInitialKsn(ksn).subarray(0, 8);
  return Buffer.concat([tdesEncryptEcb(bdk, data), tdesEncryptEcb(xor(bdk, KEY_MASK), data)]);
}

/**
 * The transaction key ("future key" the device used) for the KSN's counter:
 * the non-reversible key generation process applied once per one bit of the
 * counter, high bit first (X9.24-1:2009 Annex A, the host security module algorithm).
 */
function deriveTransactionKey(ipek: Buffer, ksn: Buffer): Buffer {
  checkKey(ipek, 'ipek');
  const { initialKsn, counter } = parseTdesKsn(ksn);
  const register = Buffer.from(initialKsn.subarray(2, 10));
  let key = ipek;
  for (let bit = 1 << 20; bit > 0; bit >>>= 1) {
    if ((counter & bit) === 0) continue;
    register.writeUIntBE(register.readUIntBE(5, 3) | bit, 5, 3);
    key = nonReversibleKeyGeneration(key, register);
  }
  return key;
}

/**
 * The working key of a usage from a transaction key (X9.24-1:2009 Annex A):
 * the variant mask, and for data keys also the one-way step that encrypts
 * each half of the variant under the whole variant key.
 */
function workingKey(transactionKey: Buffer, usage: TdesDukptUsage): Buffer {
  checkKey(transactionKey, 'transactionKey');
  const variant = VARIANTS[usage];
  if (variant === undefined) {
    throw new CryptoError('INVALID_KEY_USAGE', `unknown TDES DUKPT key usage`, 'usage');
  }
  const masked = xor(transactionKey, variant);
  if (usage !== 'data-request' && usage !== 'data-response') return masked;
  return Buffer.concat([
    tdesEncryptEcb(masked, masked.subarray(0, 8)),
    tdesEncryptEcb(masked, masked.subarray(8)),
  ]);
}

/** Host convenience: BDK and KSN to the working key of a usage. */
function deriveWorkingKey(params: { bdk: Buffer; ksn: Buffer; usage: TdesDukptUsage }): Buffer {
  const ipek = deriveIpek(params.bdk, params.ksn);
  return workingKey(deriveTransactionKey(ipek, params.ksn), params.usage);
}

// X9.24-1:2009 Annex A, "Non-reversible Key Generation Process".
function nonReversibleKeyGeneration(key: Buffer, register: Buffer): Buffer {
  const half = (k: Buffer) =>
    xor(desEncryptEcb(k.subarray(0, 8), xor(register, k.subarray(8))), k.subarray(8));
  const right = half(key);
  const left = half(xor(key, KEY_MASK));
  return Buffer.concat([left, right]);
}

function checkKey(key: Buffer, field: string): void {
  if (key.length !== 16) {
    throw new CryptoError(
      'INVALID_KEY_LENGTH',
      `TDES DUKPT ${field} must be a 16-byte 2TDEA key, got ${key.length}`,
      field,
    );
  }
}

export const tdesDukpt = Object.freeze({
  deriveIpek,
  deriveTransactionKey,
  workingKey,
  deriveWorkingKey,
});
