import {
  aesDecryptEcb,
  aesEncryptEcb,
  tdesDecryptEcb,
  tdesEncryptEcb,
} from '../primitives/block-cipher';
import { xor } from '../primitives/bytes';
import { CryptoError } from '../primitives/crypto-error';
import { buildPinBlock, parsePinBlock, unsupported } from './pin-block';
import { buildFormat4PinField, format4PanField, parseFormat4PinField } from './pin-block-format4';
import { RandomBytes } from './pin-fields';

export type EncryptPinInput =
  | { format: 0; key: Buffer; pin: string; pan: string }
  | { format: 1; key: Buffer; pin: string; random?: RandomBytes }
  | { format: 3; key: Buffer; pin: string; pan: string; random?: RandomBytes }
  | { format: 4; key: Buffer; pin: string; pan: string; random?: RandomBytes };

export type DecryptPinInput =
  | { format: 0 | 3 | 4; key: Buffer; pinBlock: Buffer; pan: string }
  | { format: 1; key: Buffer; pinBlock: Buffer };

/**
 * Builds and enciphers a PIN block. Formats 0, 1 and 3: TDES-ECB of the
 * 8-byte block under a 2- or 3-key TDES key (single DES is refused).
 * Format 4: AES under a 16, 24 or 32-byte key, ISO 9564-1:2017 §9.4.2:
 * encipher the PIN field, XOR the PAN field, encipher again.
 */
export function encryptPinBlock(input: EncryptPinInput): Buffer {
  switch (input.format) {
    case 0:
    case 1:
    case 3:
      return tdesEncryptEcb(checkTdesPinKey(input.key), buildPinBlock(input));
    case 4: {
      const intermediate = aesEncryptEcb(input.key, buildFormat4PinField(input.pin, input.random));
      return aesEncryptEcb(input.key, xor(intermediate, format4PanField(input.pan)));
    }
    default:
      throw unsupported((input as { format: unknown }).format);
  }
}

/** Deciphers a PIN block and returns the PIN, after every check of its format (see parsePinBlock). */
export function decryptPinBlock(input: DecryptPinInput): string {
  switch (input.format) {
    case 0:
    case 1:
    case 3: {
      const clear = tdesDecryptEcb(checkTdesPinKey(input.key), checkLength(input.pinBlock, 8));
      return parsePinBlock(clear, {
        format: input.format,
        pan: 'pan' in input ? input.pan : undefined,
      }).pin;
    }
    case 4: {
      const panField = format4PanField(input.pan);
      const intermediate = xor(aesDecryptEcb(input.key, checkLength(input.pinBlock, 16)), panField);
      return parseFormat4PinField(aesDecryptEcb(input.key, intermediate));
    }
    default:
      throw unsupported((input as { format: unknown }).format);
  }
}

function checkTdesPinKey(key: Buffer): Buffer {
  if (key.length !== 16 && key.length !== 24) {
    throw new CryptoError(
      'INVALID_KEY_LENGTH',
      `PIN encryption key must be 2- or 3-key TDES (16 or 24 bytes), got ${key.length}`,
      'key',
    );
  }
  return key;
}

function checkLength(pinBlock: Buffer, length: number): Buffer {
  if (pinBlock.length !== length) {
    throw new CryptoError(
      'INVALID_PIN_BLOCK',
      `encrypted PIN block must be ${length} bytes, got ${pinBlock.length}`,
      'pinBlock',
    );
  }
  return pinBlock;
}
