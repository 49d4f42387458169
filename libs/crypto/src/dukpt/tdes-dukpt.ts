import { desEncryptEcb, tdesEncryptEcb } from '../primitives/block-cipher';
import { xor } from '../primitives/bytes';
import { CryptoError } from '../primitives/crypto-error';
import { hexToBytes } from '../primitives/hex';
import { bitsAfter, parseTdesKsn, tdesInitialKsn } from './ksn';

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
  return transactionKeyPath({ key: ipek, counter: 0 }, ksn).at(-1)?.key ?? ipek;
}

/**
 * The same derivation, resumed from a key on the KSN's path: `from` is the
 * transaction key of a counter made of the KSN counter's highest one bits
 * (counter 0: the IPEK). Returns the key after each further step, the last
 * being the KSN's transaction key (none when `from` is that key already).
 * A host that keeps a device's path derives the next counter in about one
 * step instead of one per one bit.
 */
function transactionKeyPath(
  from: { readonly key: Buffer; readonly counter: number },
  ksn: Buffer,
): { counter: number; key: Buffer }[] {
  checkKey(from.key, 'from.key');
  const { initialKsn, counter } = parseTdesKsn(ksn);
  const remaining = bitsAfter(from.counter, counter);
  const register = Buffer.from(initialKsn.subarray(2, 10));
  register.writeUIntBE(register.readUIntBE(5, 3) | from.counter, 5, 3);
  const path: { counter: number; key: Buffer }[] = [];
  let key = from.key;
  for (let bit = 1 << 20; bit > 0; bit >>>= 1) {
    if ((remaining & bit) === 0) continue;
    register.writeUIntBE(register.readUIntBE(5, 3) | bit, 5, 3);
    key = nonReversibleKeyGeneration(key, register);
    path.push({ counter: register.readUIntBE(5, 3) & 0x1fffff, key });
  }
  return path;
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
  // Each half encrypted on its own under the whole key: ECB over both halves in one call.
  return tdesEncryptEcb(masked, masked);
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
  transactionKeyPath,
  workingKey,
  deriveWorkingKey,
});
