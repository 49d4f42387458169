export { buildPinBlock, parsePinBlock, pinBlockPanField } from './pin-block';
export type {
  BuildPinBlockInput,
  ParsedPinBlock,
  PinBlockFormat,
  PinBlockFormat8,
} from './pin-block';
export { buildFormat4PinField, format4PanField, parseFormat4PinField } from './pin-block-format4';
export { decryptPinBlock, encryptPinBlock } from './pin-block-cipher';
export type { DecryptPinInput, EncryptPinInput } from './pin-block-cipher';
export { MAX_PIN_LENGTH, MIN_PIN_LENGTH } from './pin-fields';
