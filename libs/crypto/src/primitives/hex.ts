import { CryptoError } from './crypto-error';

const HEX = /^[0-9A-Fa-f]*$/;

/** Decodes hex (either case, no separators). The empty string gives an empty buffer. */
export function hexToBytes(hex: string, field = 'hex'): Buffer {
  if (hex.length % 2 !== 0) {
    throw new CryptoError(
      'INVALID_HEX',
      `${field} has an odd number of hex digits (${hex.length})`,
      field,
    );
  }
  if (!HEX.test(hex)) {
    throw new CryptoError(
      'INVALID_HEX',
      `${field} contains a character that is not a hex digit`,
      field,
    );
  }
  return Buffer.from(hex, 'hex');
}

/** Encodes as upper-case hex, the convention of payment standards and HSM logs. */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('hex')
    .toUpperCase();
}
