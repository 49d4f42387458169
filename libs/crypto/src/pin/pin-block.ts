import { xor } from '../primitives/bytes';
import { CryptoError } from '../primitives/crypto-error';
import { bytesToHex, hexToBytes } from '../primitives/hex';
import {
  MAX_PIN_LENGTH,
  MIN_PIN_LENGTH,
  RandomBytes,
  checkPan,
  checkPin,
  defaultRandom,
  randomNibbles,
  randomNibblesAToF,
} from './pin-fields';

/** ISO 9564-1 formats with an 8-byte block (format 4 is 16 bytes, see pin-block-format4.ts). */
export type PinBlockFormat8 = 0 | 1 | 2 | 3;
export type PinBlockFormat = PinBlockFormat8 | 4;

export type BuildPinBlockInput =
  | { format: 0; pin: string; pan: string }
  | { format: 1; pin: string; random?: RandomBytes }
  | { format: 2; pin: string }
  | { format: 3; pin: string; pan: string; random?: RandomBytes };

/**
 * A clear 8-byte PIN block, ISO 9564-1:2017 §9.3.2-9.3.5:
 * - format 0: control 0, PIN length, PIN, fill F; XOR the PAN field;
 * - format 1: control 1, PIN length, PIN, random fill 0-F; no PAN;
 * - format 2: control 2, PIN length, PIN, fill F; no PAN (ICC offline PIN only);
 * - format 3: control 3, PIN length, PIN, random fill A-F; XOR the PAN field.
 */
export function buildPinBlock(input: BuildPinBlockInput): Buffer {
  checkPin(input.pin);
  const head = `${input.format}${input.pin.length.toString(16).toUpperCase()}${input.pin}`;
  const fillLength = 16 - head.length;
  switch (input.format) {
    case 0:
      return xor(
        hexToBytes(head + 'F'.repeat(fillLength)),
        pinBlockPanField(checkPan(input.pan, 0)),
      );
    case 1:
      return hexToBytes(head + randomNibbles(fillLength, input.random ?? defaultRandom));
    case 2:
      return hexToBytes(head + 'F'.repeat(fillLength));
    case 3:
      return xor(
        hexToBytes(head + randomNibblesAToF(fillLength, input.random ?? defaultRandom)),
        pinBlockPanField(checkPan(input.pan, 3)),
      );
    default:
      throw unsupported((input as { format: unknown }).format);
  }
}

export interface ParsedPinBlock {
  readonly format: PinBlockFormat8;
  readonly pin: string;
}

/**
 * Reads a clear 8-byte PIN block, checking its control field, PIN length
 * (4-12), digits and fill. Formats 0 and 3 need the PAN; a block that does
 * not decode under it fails with PIN_BLOCK_PAN_MISMATCH. Pass `format` to
 * insist on one format (a translation must not silently accept another).
 */
export function parsePinBlock(
  block: Buffer,
  options: { format?: PinBlockFormat8; pan?: string } = {},
): ParsedPinBlock {
  if (block.length !== 8) {
    throw new CryptoError(
      'INVALID_PIN_BLOCK',
      `PIN block of formats 0-3 is 8 bytes, got ${block.length}`,
      'pinBlock',
    );
  }
  const control = block[0]! >> 4;
  if (control > 3) {
    throw new CryptoError(
      'INVALID_PIN_BLOCK',
      `control field ${control.toString(16).toUpperCase()} is not ISO 9564-1 format 0, 1, 2 or 3`,
      'pinBlock',
    );
  }
  const format = control as PinBlockFormat8;
  if (options.format !== undefined && options.format !== format) {
    throw new CryptoError(
      'INVALID_PIN_BLOCK',
      `expected a format ${options.format} PIN block, got format ${format}`,
      'pinBlock',
    );
  }
  const pinLength = block[0]! & 0x0f;
  if (pinLength < MIN_PIN_LENGTH || pinLength > MAX_PIN_LENGTH) {
    throw new CryptoError(
      'INVALID_PIN_BLOCK',
      `PIN length field ${pinLength} is outside ${MIN_PIN_LENGTH}-${MAX_PIN_LENGTH}`,
      'pinBlock',
    );
  }

  const usesPan = format === 0 || format === 3;
  const field = bytesToHex(
    usesPan ? xor(block, pinBlockPanField(checkPan(options.pan, format))) : block,
  );
  const pin = field.slice(2, 2 + pinLength);
  const fill = field.slice(2 + pinLength);
  if (/^[0-9]+$/.test(pin) && FILL[format].test(fill)) return { format, pin };

  throw usesPan
    ? new CryptoError(
        'PIN_BLOCK_PAN_MISMATCH',
        `format ${format} PIN block does not decode under this PAN (wrong PAN, wrong key or corrupted block)`,
        'pan',
      )
    : new CryptoError(
        'INVALID_PIN_BLOCK',
        `format ${format} PIN block has invalid PIN digits or fill`,
        'pinBlock',
      );
}

const FILL: Record<PinBlockFormat8, RegExp> = {
  0: /^F*$/,
  1: /^[0-9A-F]*$/,
  2: /^F*$/,
  3: /^[A-F]*$/,
};

/**
 * ISO 9564-1:2017 §9.3.2.3, §9.3.5.3: the PAN field of formats 0 and 3: four zero nibbles,
 * then the rightmost 12 PAN digits excluding the check digit, left-padded
 * with zeros when the PAN is shorter.
 */
export function pinBlockPanField(pan: string): Buffer {
  checkPan(pan, 0);
  return hexToBytes('0000' + pan.slice(0, -1).slice(-12).padStart(12, '0'));
}

export function unsupported(format: unknown): CryptoError {
  return new CryptoError(
    'UNSUPPORTED_PIN_BLOCK_FORMAT',
    `PIN block format ${String(format)} is not supported here`,
    'format',
  );
}
