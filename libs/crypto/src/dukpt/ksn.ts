import { CryptoError } from '../primitives/crypto-error';

/**
 * A TDES DUKPT key serial number (ANSI X9.24-1:2009 Annex A): 10 bytes whose
 * rightmost 21 bits are the transaction counter; the rest (the initial KSN)
 * identify the BDK and the device.
 */
export interface TdesKsn {
  readonly scheme: 'tdes';
  /** The 10 KSN bytes as received. */
  readonly bytes: Buffer;
  /** The KSN with its 21 counter bits cleared, from which the IPEK is derived. */
  readonly initialKsn: Buffer;
  readonly counter: number;
}

/**
 * An AES DUKPT key serial number (ANSI X9.24-3:2017 §6.1): the 8-byte initial
 * key ID (4-byte BDK ID, 4-byte derivation ID) then a 32-bit counter.
 */
export interface AesKsn {
  readonly scheme: 'aes';
  /** The 12 KSN bytes as received. */
  readonly bytes: Buffer;
  readonly initialKeyId: Buffer;
  readonly bdkId: Buffer;
  readonly derivationId: Buffer;
  readonly counter: number;
}

export type Ksn = TdesKsn | AesKsn;

export const TDES_KSN_LENGTH = 10;
export const AES_KSN_LENGTH = 12;
export const TDES_MAX_COUNTER = 0x1fffff;
export const AES_MAX_COUNTER = 0xffffffff;
// X9.24-1:2009 Annex A: a device never uses a counter with more than 10 one bits.
export const TDES_MAX_ONE_BITS = 10;
// X9.24-3:2017 §6.1: nor, in AES DUKPT, one with more than 16.
export const AES_MAX_ONE_BITS = 16;

/**
 * Parses a 10-byte (TDES) or 12-byte (AES) KSN; the length decides the scheme.
 * Rejects a counter no device can have used: zero (the initial key itself) or
 * one with too many one bits.
 */
export function parseKsn(ksn: Buffer): Ksn {
  switch (ksn.length) {
    case TDES_KSN_LENGTH:
      return parseTdesKsn(ksn);
    case AES_KSN_LENGTH:
      return parseAesKsn(ksn);
    default:
      throw new CryptoError(
        'INVALID_KSN',
        `KSN must be ${TDES_KSN_LENGTH} bytes (TDES DUKPT) or ${AES_KSN_LENGTH} bytes (AES DUKPT), got ${ksn.length}`,
        'ksn',
      );
  }
}

export function parseTdesKsn(ksn: Buffer): TdesKsn {
  const { initialKsn, counter } = splitTdesKsn(ksn, 'ksn');
  checkCounter('tdes', counter, 'ksn');
  return { scheme: 'tdes', bytes: Buffer.from(ksn), initialKsn, counter };
}

export function parseAesKsn(ksn: Buffer): AesKsn {
  if (ksn.length !== AES_KSN_LENGTH) {
    throw new CryptoError(
      'INVALID_KSN',
      `AES DUKPT KSN must be 12 bytes, got ${ksn.length}`,
      'ksn',
    );
  }
  const counter = ksn.readUInt32BE(8);
  checkCounter('aes', counter, 'ksn');
  const initialKeyId = Buffer.from(ksn.subarray(0, 8));
  return {
    scheme: 'aes',
    bytes: Buffer.from(ksn),
    initialKeyId,
    bdkId: initialKeyId.subarray(0, 4),
    derivationId: initialKeyId.subarray(4, 8),
    counter,
  };
}

/** The TDES KSN with its 21 counter bits cleared (any counter accepted: this is for IPEK derivation). */
export function tdesInitialKsn(ksn: Buffer): Buffer {
  return splitTdesKsn(ksn, 'ksn').initialKsn;
}

/** The TDES KSN with the identifying part of `ksn` (its counter bits are ignored) and this counter. */
export function tdesKsnWithCounter(ksn: Buffer, counter: number): Buffer {
  const { initialKsn } = splitTdesKsn(ksn, 'ksn');
  checkCounter('tdes', counter, 'counter');
  const out = Buffer.from(initialKsn);
  out.writeUIntBE(initialKsn.readUIntBE(7, 3) | counter, 7, 3);
  return out;
}

/** The AES KSN for an 8-byte initial key ID and a counter. */
export function aesKsnWithCounter(initialKeyId: Buffer, counter: number): Buffer {
  if (initialKeyId.length !== 8) {
    throw new CryptoError(
      'INVALID_KSN',
      `initial key ID must be 8 bytes, got ${initialKeyId.length}`,
      'initialKeyId',
    );
  }
  checkCounter('aes', counter, 'counter');
  const out = Buffer.alloc(AES_KSN_LENGTH);
  initialKeyId.copy(out);
  out.writeUInt32BE(counter, 8);
  return out;
}

/**
 * The KSN a device uses after this one; `ksn` may carry counter 0 (a freshly
 * loaded device). Throws KSN_COUNTER_EXHAUSTED after the last counter.
 */
export function nextKsn(ksn: Buffer): Buffer {
  switch (ksn.length) {
    case TDES_KSN_LENGTH:
      return tdesKsnWithCounter(
        ksn,
        nextTransactionCounter('tdes', splitTdesKsn(ksn, 'ksn').counter),
      );
    case AES_KSN_LENGTH:
      return aesKsnWithCounter(
        ksn.subarray(0, 8),
        nextTransactionCounter('aes', ksn.readUInt32BE(8)),
      );
    default:
      return parseKsn(ksn).bytes;
  }
}

/**
 * The counter a device uses after `counter` (X9.24-1:2009 Annex A,
 * X9.24-3:2017 §6.1): add one, unless the counter already has the maximum number of one
 * bits, then add its lowest one bit; so counters with too many one bits are
 * skipped.
 */
export function nextTransactionCounter(scheme: 'tdes' | 'aes', counter: number): number {
  const { maxOneBits, maxCounter } = LIMITS[scheme];
  if (
    !Number.isInteger(counter) ||
    counter < 0 ||
    counter > maxCounter ||
    oneBits(counter) > maxOneBits
  ) {
    throw new CryptoError(
      'INVALID_KSN_COUNTER',
      `${scheme.toUpperCase()} DUKPT transaction counter ${counter} is not one a device can hold`,
      'counter',
    );
  }
  const next = oneBits(counter) < maxOneBits ? counter + 1 : counter + lowestOneBit(counter);
  if (next > maxCounter) {
    throw new CryptoError(
      'KSN_COUNTER_EXHAUSTED',
      `${scheme.toUpperCase()} DUKPT transaction counter is exhausted: the device needs a new initial key`,
      'counter',
    );
  }
  return next;
}

const LIMITS = {
  tdes: { maxOneBits: TDES_MAX_ONE_BITS, maxCounter: TDES_MAX_COUNTER },
  aes: { maxOneBits: AES_MAX_ONE_BITS, maxCounter: AES_MAX_COUNTER },
} as const;

function splitTdesKsn(ksn: Buffer, field: string): { initialKsn: Buffer; counter: number } {
  if (ksn.length !== TDES_KSN_LENGTH) {
    throw new CryptoError(
      'INVALID_KSN',
      `TDES DUKPT KSN must be 10 bytes, got ${ksn.length}`,
      field,
    );
  }
  const last3 = ksn.readUIntBE(7, 3);
  const initialKsn = Buffer.from(ksn);
  initialKsn.writeUIntBE(last3 - (last3 & TDES_MAX_COUNTER), 7, 3);
  return { initialKsn, counter: last3 & TDES_MAX_COUNTER };
}

function checkCounter(scheme: 'tdes' | 'aes', counter: number, field: string): void {
  const { maxOneBits, maxCounter } = LIMITS[scheme];
  const name = `${scheme.toUpperCase()} DUKPT transaction counter`;
  if (!Number.isInteger(counter) || counter < 0 || counter > maxCounter) {
    throw new CryptoError('INVALID_KSN_COUNTER', `${name} must be within 1..${maxCounter}`, field);
  }
  if (counter === 0) {
    throw new CryptoError(
      'INVALID_KSN_COUNTER',
      `${name} 0 denotes the initial key, never a transaction`,
      field,
    );
  }
  if (oneBits(counter) > maxOneBits) {
    throw new CryptoError(
      'INVALID_KSN_COUNTER',
      `${name} ${counter} has more than ${maxOneBits} one bits: no device uses it`,
      field,
    );
  }
}

/** Number of one bits in a counter of up to 32 bits. */
export function oneBits(n: number): number {
  let count = 0;
  for (let v = n >>> 0; v !== 0; v >>>= 1) count += v & 1;
  return count;
}

function lowestOneBit(n: number): number {
  // Not `n & -n`: JavaScript bit operators are signed 32-bit and fail for bit 31.
  let bit = 1;
  while (bit < n && Math.floor(n / bit) % 2 === 0) bit *= 2;
  return bit;
}

// Everything below from's lowest one bit is still to derive (everything, from the initial key).
const spanBelow = (from: number) => (from > 0 ? lowestOneBit(from) : 2 ** 32);

/**
 * Whether the key of counter `from` lies on the derivation path of
 * `counter`: `counter` with some of its lowest one bits cleared (0: the
 * initial key). A host that keeps the keys of one path resumes from those.
 */
export function isOnDukptPath(from: number, counter: number): boolean {
  return Number.isInteger(from) && from >= 0 && counter - (counter % spanBelow(from)) === from;
}

/**
 * The one bits of `counter` a DUKPT derivation still has to go through from
 * the key of counter `from`, which must lie on the counter's derivation path
 * (isOnDukptPath). For the host-side derivations only; not exported from the package.
 */
export function bitsAfter(from: number, counter: number): number {
  if (!isOnDukptPath(from, counter)) {
    throw new CryptoError(
      'INVALID_KSN_COUNTER',
      `counter ${from} is not on the derivation path of counter ${counter}`,
      'from.counter',
    );
  }
  return counter % spanBelow(from);
}
