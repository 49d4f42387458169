import { CryptoError } from '../primitives/crypto-error';
import { bytesToHex, hexToBytes } from '../primitives/hex';
import {
  MAX_PIN_LENGTH,
  MIN_PIN_LENGTH,
  RandomBytes,
  checkPan,
  checkPin,
  defaultRandom,
  draw,
} from './pin-fields';

/**
 * ISO 9564-1:2017 §9.4.2.2.2: format 4 plaintext PIN field (16 bytes): control 4,
 * PIN length, PIN, fill A up to 16 nibbles, then 8 random bytes.
 */
export function buildFormat4PinField(pin: string, random: RandomBytes = defaultRandom): Buffer {
  checkPin(pin);
  const head = `4${pin.length.toString(16).toUpperCase()}${pin}`;
  return Buffer.concat([hexToBytes(head.padEnd(16, 'A')), draw(random, 8)]);
}

/** Reads a format 4 plaintext PIN field, checking control, length, digits and the A fill. */
export function parseFormat4PinField(field: Buffer): string {
  if (field.length !== 16) {
    throw new CryptoError(
      'INVALID_PIN_BLOCK',
      `format 4 PIN field is 16 bytes, got ${field.length}`,
      'pinField',
    );
  }
  const hex = bytesToHex(field.subarray(0, 8));
  const pinLength = parseInt(hex[1]!, 16);
  const pin = hex.slice(2, 2 + pinLength);
  const valid =
    hex[0] === '4' &&
    pinLength >= MIN_PIN_LENGTH &&
    pinLength <= MAX_PIN_LENGTH &&
    /^[0-9]+$/.test(pin) &&
    /^A*$/.test(hex.slice(2 + pinLength));
  if (!valid) {
    throw new CryptoError(
      'INVALID_PIN_BLOCK',
      'not a valid format 4 PIN field (wrong key, wrong PAN or corrupted block)',
      'pinBlock',
    );
  }
  return pin;
}

/**
 * ISO 9564-1:2017 §9.4.2.2.3: format 4 PAN field (16 bytes): one nibble M = PAN
 * length - 12 (0 if shorter), the PAN left-padded with zeros to 12 digits,
 * then zero nibbles up to 32.
 */
export function format4PanField(pan: string): Buffer {
  checkPan(pan, 4);
  const m = Math.max(0, pan.length - 12);
  return hexToBytes(`${m}${pan.padStart(12, '0')}`.padEnd(32, '0'));
}
