import { aesEncryptEcb } from '../primitives/block-cipher';
import { CryptoError } from '../primitives/crypto-error';
import { bitsAfter, parseAesKsn } from './ksn';

/**
 * Host-side AES DUKPT, ANSI X9.24-3:2017. The BDK is an AES key (16, 24 or
 * 32 bytes); every derived key comes from one or two AES-ECB encryptions of
 * a 16-byte derivation data block under the key above it.
 */
export type AesDukptUsage =
  | 'key-encryption'
  | 'pin'
  | 'mac-generation'
  | 'mac-verification'
  | 'mac-both'
  | 'data-encrypt'
  | 'data-decrypt'
  | 'data-both';

export type AesDukptKeyType =
  'tdes2' | 'tdes3' | 'aes128' | 'aes192' | 'aes256' | 'hmac128' | 'hmac192' | 'hmac256';

// X9.24-3:2017 §6.3.2 Tables 2 and 3: key usage indicators.
const USAGE_INDICATOR: Record<AesDukptUsage, number> = {
  'key-encryption': 0x0002,
  pin: 0x1000,
  'mac-generation': 0x2000,
  'mac-verification': 0x2001,
  'mac-both': 0x2002,
  'data-encrypt': 0x3000,
  'data-decrypt': 0x3001,
  'data-both': 0x3002,
};
const KEY_DERIVATION = 0x8000;
// X9.24-3:2017 §6.5.3: the counter value reserved for the update key.
const UPDATE_KEY_COUNTER = 0xffffffff;
const INITIAL_KEY_DERIVATION = 0x8001;

// X9.24-3:2017 §6.2.1 key types, with their §6.3.2 algorithm indicator and
// length in bits, and the strength that bounds which keys a derivation key
// may produce (§6.1.3). HMAC keys share indicator 0005; their length tells
// them apart.
const KEY_TYPES: Record<AesDukptKeyType, { algorithm: number; bits: number; strength: number }> = {
  tdes2: { algorithm: 0x0000, bits: 128, strength: 80 },
  tdes3: { algorithm: 0x0001, bits: 192, strength: 112 },
  aes128: { algorithm: 0x0002, bits: 128, strength: 128 },
  aes192: { algorithm: 0x0003, bits: 192, strength: 192 },
  aes256: { algorithm: 0x0004, bits: 256, strength: 256 },
  hmac128: { algorithm: 0x0005, bits: 128, strength: 128 },
  hmac192: { algorithm: 0x0005, bits: 192, strength: 192 },
  hmac256: { algorithm: 0x0005, bits: 256, strength: 256 },
};

export const AES_DUKPT_USAGES = Object.keys(USAGE_INDICATOR) as readonly AesDukptUsage[];
export const AES_DUKPT_KEY_TYPES = Object.keys(KEY_TYPES) as readonly AesDukptKeyType[];

/** X9.24-3:2017 §6.3.1, §6.3.3: the initial key loaded into a device, from the BDK and the 8-byte initial key ID. */
function deriveInitialKey(bdk: Buffer, initialKeyId: Buffer): Buffer {
  const bdkType = aesKeyTypeOf(bdk, 'bdk');
  if (initialKeyId.length !== 8) {
    throw new CryptoError(
      'INVALID_KSN',
      `initial key ID must be 8 bytes, got ${initialKeyId.length}`,
      'initialKeyId',
    );
  }
  return derive(bdk, INITIAL_KEY_DERIVATION, bdkType, initialKeyId);
}

/**
 * The intermediate derivation key for the KSN's counter ("transaction
 * derivation key" in the X9.24-3 test vectors): from the initial key, one
 * derivation per one bit of the counter, high bit first (§6.1, §6.4). Its
 * type is the initial key's type.
 */
function deriveTransactionKey(initialKey: Buffer, ksn: Buffer): Buffer {
  aesKeyTypeOf(initialKey, 'initialKey');
  return transactionKeyPath({ key: initialKey, counter: 0 }, ksn).at(-1)?.key ?? initialKey;
}

/**
 * The same derivation, resumed from a key on the KSN's path: `from` is the
 * intermediate key of a counter made of the KSN counter's highest one bits
 * (counter 0: the initial key). Returns the key after each further step,
 * the last being the KSN's transaction key (none when `from` is that key
 * already). A host that keeps a device's path derives the next counter in
 * about one step instead of one per one bit.
 */
function transactionKeyPath(
  from: { readonly key: Buffer; readonly counter: number },
  ksn: Buffer,
): { counter: number; key: Buffer }[] {
  const keyType = aesKeyTypeOf(from.key, 'from.key');
  const { derivationId, counter } = parseAesKsn(ksn);
  const remaining = bitsAfter(from.counter, counter);
  return pathSteps(from, keyType, derivationId, remaining);
}

function intermediateKey(
  initialKey: Buffer,
  keyType: AesDukptKeyType,
  derivationId: Buffer,
  counter: number,
): Buffer {
  return (
    pathSteps({ key: initialKey, counter: 0 }, keyType, derivationId, counter).at(-1)?.key ??
    initialKey
  );
}

function pathSteps(
  from: { readonly key: Buffer; readonly counter: number },
  keyType: AesDukptKeyType,
  derivationId: Buffer,
  remaining: number,
): { counter: number; key: Buffer }[] {
  const path: { counter: number; key: Buffer }[] = [];
  let key = from.key;
  let workingCounter = from.counter;
  for (let bit = 31; bit >= 0; bit--) {
    const mask = 2 ** bit;
    if (Math.floor(remaining / mask) % 2 === 0) continue;
    workingCounter += mask;
    key = derive(key, KEY_DERIVATION, keyType, derivationData(derivationId, workingCounter));
    path.push({ counter: workingCounter, key });
  }
  return path;
}

/**
 * A working key from the transaction derivation key (§6.3.3): key usage and
 * key type go into the derivation data, so a PIN key never equals a MAC key.
 * The working key may not be stronger than the derivation key (§6.1.3).
 */
function workingKey(
  transactionKey: Buffer,
  params: { ksn: Buffer; usage: AesDukptUsage; keyType: AesDukptKeyType },
): Buffer {
  const derivationType = aesKeyTypeOf(transactionKey, 'transactionKey');
  const { derivationId, counter } = parseAesKsn(params.ksn);
  return derive(
    transactionKey,
    usageIndicator(params.usage),
    checkedKeyType(params.keyType, derivationType),
    derivationData(derivationId, counter),
  );
}

/** Host convenience: BDK, KSN, usage and key type to the working key. */
function deriveWorkingKey(params: {
  bdk: Buffer;
  ksn: Buffer;
  usage: AesDukptUsage;
  keyType: AesDukptKeyType;
}): Buffer {
  const { initialKeyId } = parseAesKsn(params.ksn);
  const initialKey = deriveInitialKey(params.bdk, initialKeyId);
  return workingKey(deriveTransactionKey(initialKey, params.ksn), params);
}

/**
 * X9.24-3:2017 §6.5.3: the DUKPT update key, the key-encryption key that
 * protects a new initial key sent to the device. It is derived like a
 * working key (usage key-encryption) for the reserved counter FFFFFFFF,
 * which no transaction uses (it has 32 one bits).
 */
function deriveUpdateKey(params: {
  initialKey: Buffer;
  initialKeyId: Buffer;
  keyType: AesDukptKeyType;
}): Buffer {
  const initialType = aesKeyTypeOf(params.initialKey, 'initialKey');
  if (params.initialKeyId.length !== 8) {
    throw new CryptoError(
      'INVALID_KSN',
      `initial key ID must be 8 bytes, got ${params.initialKeyId.length}`,
      'initialKeyId',
    );
  }
  const derivationId = params.initialKeyId.subarray(4, 8);
  const derivationKey = intermediateKey(
    params.initialKey,
    initialType,
    derivationId,
    UPDATE_KEY_COUNTER,
  );
  return derive(
    derivationKey,
    USAGE_INDICATOR['key-encryption'],
    checkedKeyType(params.keyType, initialType),
    derivationData(derivationId, UPDATE_KEY_COUNTER),
  );
}

// X9.24-3:2017 §6.3.1-6.3.3: AES-ECB of the derivation data under the key
// above: version 01, block counter, usage, algorithm, length in bits, then
// 8 bytes (initial key ID, or derivation ID and counter); one block of output
// per 128 bits, the block counter counting them (all blocks in one ECB call).
function derive(key: Buffer, usage: number, keyType: AesDukptKeyType, data: Buffer): Buffer {
  const { algorithm, bits } = KEY_TYPES[keyType];
  const blocks = Buffer.alloc(16 * Math.ceil(bits / 128));
  for (let offset = 0; offset < blocks.length; offset += 16) {
    blocks[offset] = 0x01;
    blocks[offset + 1] = offset / 16 + 1;
    blocks.writeUInt16BE(usage, offset + 2);
    blocks.writeUInt16BE(algorithm, offset + 4);
    blocks.writeUInt16BE(bits, offset + 6);
    data.copy(blocks, offset + 8);
  }
  return aesEncryptEcb(key, blocks).subarray(0, bits / 8);
}

function derivationData(derivationId: Buffer, counter: number): Buffer {
  const data = Buffer.alloc(8);
  derivationId.copy(data, 0, 0, 4);
  data.writeUInt32BE(counter, 4);
  return data;
}

function aesKeyTypeOf(key: Buffer, field: string): AesDukptKeyType {
  switch (key.length) {
    case 16:
      return 'aes128';
    case 24:
      return 'aes192';
    case 32:
      return 'aes256';
    default:
      throw new CryptoError(
        'INVALID_KEY_LENGTH',
        `AES DUKPT ${field} must be 16, 24 or 32 bytes, got ${key.length}`,
        field,
      );
  }
}

function usageIndicator(usage: AesDukptUsage): number {
  const indicator = USAGE_INDICATOR[usage];
  if (indicator === undefined) {
    throw new CryptoError('INVALID_KEY_USAGE', `unknown AES DUKPT key usage`, 'usage');
  }
  return indicator;
}

function checkedKeyType(
  keyType: AesDukptKeyType,
  derivationType: AesDukptKeyType,
): AesDukptKeyType {
  const wanted = KEY_TYPES[keyType];
  if (wanted === undefined) {
    throw new CryptoError('INVALID_KEY_USAGE', `unknown AES DUKPT key type`, 'keyType');
  }
  if (wanted.strength > KEY_TYPES[derivationType].strength) {
    throw new CryptoError(
      'INVALID_KEY_USAGE',
      `an ${derivationType} derivation key cannot derive a stronger ${keyType} key`,
      'keyType',
    );
  }
  return keyType;
}

export const aesDukpt = Object.freeze({
  deriveInitialKey,
  deriveTransactionKey,
  transactionKeyPath,
  workingKey,
  deriveWorkingKey,
  deriveUpdateKey,
});
