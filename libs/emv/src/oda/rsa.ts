import { OdaError } from './oda.error';

export interface RsaPublicKey {
  /** Big-endian modulus; its byte length is the key length (NCA, NI, NIC). */
  readonly modulus: Uint8Array;
  /** Big-endian public exponent: '03' or '010001' in EMV. */
  readonly exponent: Uint8Array;
}

export interface RsaPrivateKey extends RsaPublicKey {
  readonly privateExponent: Uint8Array;
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16).padStart(length * 2, '0');
  if (hex.length > length * 2) throw new RangeError(`value does not fit in ${length} bytes`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** EMV Book 2 Annex B2.1: the only public exponents allowed are 3 and 2^16 + 1. */
export function isEmvExponent(exponent: Uint8Array): boolean {
  const e = bytesToBigInt(exponent);
  return e === 3n || e === 65537n;
}

/** Book 2 §5.1 and §6.1: NCA, NI and NIC at most 248 bytes; 64 is the floor this lib accepts. */
export const MIN_MODULUS_LENGTH = 64;
export const MAX_MODULUS_LENGTH = 248;

/** Rejects keys no EMV procedure could use, before any arithmetic with them. */
export function checkRecoveryKey(key: RsaPublicKey, what: string, check: string): void {
  const n = key.modulus;
  if (
    n.length < MIN_MODULUS_LENGTH ||
    n.length > MAX_MODULUS_LENGTH ||
    n[0] === 0 ||
    (n[n.length - 1] & 1) === 0
  ) {
    throw new OdaError(
      'PUBLIC_KEY_INVALID',
      check,
      `${what} modulus must be an odd number of ${MIN_MODULUS_LENGTH}-${MAX_MODULUS_LENGTH} bytes without leading zero, got ${n.length} bytes`,
    );
  }
  if (!isEmvExponent(key.exponent)) {
    throw new OdaError('PUBLIC_KEY_INVALID', check, `${what} exponent must be 3 or 65537`);
  }
}

/**
 * EMV Book 2 Annex A2.1 recovery: X = S^e mod n, as many bytes as the modulus.
 * Done with BigInt rather than OpenSSL so malformed keys and inputs from a
 * card can only produce an OdaError; equivalent to node:crypto publicDecrypt
 * with RSA_NO_PADDING (the spec checks both agree).
 */
export function rsaRecover(key: RsaPublicKey, signature: Uint8Array, check: string): Uint8Array {
  const n = bytesToBigInt(key.modulus);
  const s = bytesToBigInt(signature);
  if (s >= n) {
    throw new OdaError(
      'SIGNATURE_OUT_OF_RANGE',
      check,
      'signed data is not smaller than the modulus',
    );
  }
  return bigIntToBytes(modPow(s, bytesToBigInt(key.exponent), n), key.modulus.length);
}

/** The RSA private operation without padding, as EMV signing uses it (Book 2 Annex A2.1). */
export function rsaSign(key: RsaPrivateKey, message: Uint8Array): Uint8Array {
  const n = bytesToBigInt(key.modulus);
  const m = bytesToBigInt(message);
  if (message.length !== key.modulus.length || m >= n) {
    throw new RangeError('message to sign must be as long as the modulus and smaller than it');
  }
  return bigIntToBytes(modPow(m, bytesToBigInt(key.privateExponent), n), key.modulus.length);
}
