import { randomBytes } from 'node:crypto';
import { CryptoError } from '../primitives/crypto-error';

/** Source of random bytes; inject a deterministic one in tests. */
export type RandomBytes = (length: number) => Buffer;

export const defaultRandom: RandomBytes = (length) => randomBytes(length);

export const MIN_PIN_LENGTH = 4;
export const MAX_PIN_LENGTH = 12;
export const MAX_PAN_LENGTH = 19;

/** ISO 9564-1:2017 §8.1, §9.1: a PIN is 4 to 12 decimal digits. The PIN itself never appears in the error. */
export function checkPin(pin: string): void {
  if (typeof pin !== 'string' || !/^[0-9]*$/.test(pin)) {
    throw new CryptoError('INVALID_PIN', 'PIN must contain decimal digits only', 'pin');
  }
  if (pin.length < MIN_PIN_LENGTH || pin.length > MAX_PIN_LENGTH) {
    throw new CryptoError(
      'INVALID_PIN',
      `PIN must be ${MIN_PIN_LENGTH} to ${MAX_PIN_LENGTH} digits, got ${pin.length}`,
      'pin',
    );
  }
}

/** A PAN of 1 to 19 decimal digits (ISO/IEC 7812). Neither the PAN nor part of it appears in the error. */
export function checkPan(pan: string | undefined, format: number): string {
  if (pan === undefined) {
    throw new CryptoError('INVALID_PAN', `PIN block format ${format} needs the PAN`, 'pan');
  }
  if (typeof pan !== 'string' || !/^[0-9]{1,19}$/.test(pan)) {
    throw new CryptoError(
      'INVALID_PAN',
      `PAN must be 1 to ${MAX_PAN_LENGTH} decimal digits`,
      'pan',
    );
  }
  return pan;
}

/** `count` hex nibbles (0-F), uniformly, from the random source. */
export function randomNibbles(count: number, random: RandomBytes): string {
  return draw(random, Math.ceil(count / 2))
    .toString('hex')
    .toUpperCase()
    .slice(0, count);
}

/** `count` nibbles from A to F (ISO 9564-1 format 3 fill), uniformly: bytes of 252 and above are drawn again. */
export function randomNibblesAToF(count: number, random: RandomBytes): string {
  let out = '';
  for (let round = 0; out.length < count; round++) {
    if (round === 64) {
      throw new CryptoError(
        'INVALID_ARGUMENT',
        'random source keeps returning bytes of 252 and above',
        'random',
      );
    }
    for (const byte of draw(random, count - out.length)) {
      if (byte < 252 && out.length < count) out += (10 + (byte % 6)).toString(16).toUpperCase();
    }
  }
  return out;
}

/** Exactly `length` random bytes, or a typed error if the source returns fewer. */
export function draw(random: RandomBytes, length: number): Buffer {
  const bytes = random(length);
  if (bytes.length < length) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `random source returned ${bytes.length} of ${length} bytes`,
      'random',
    );
  }
  return bytes.subarray(0, length);
}
