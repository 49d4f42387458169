export { CryptoError, isCryptoError } from './crypto-error';
export type { CryptoErrorCode, CryptoErrorCodes } from './crypto-error';
export { bytesToHex, hexToBytes } from './hex';
export { adjustOddParity, constantTimeEqual, hasOddParity, xor } from './bytes';
export {
  AES_BLOCK_SIZE,
  DES_BLOCK_SIZE,
  aesDecryptCbc,
  aesDecryptEcb,
  aesEncryptCbc,
  aesEncryptEcb,
  blockSizeOf,
  desDecryptCbc,
  desDecryptEcb,
  desEncryptCbc,
  desEncryptEcb,
  encryptCbc,
  encryptEcb,
  tdesDecryptCbc,
  tdesDecryptEcb,
  tdesEncryptCbc,
  tdesEncryptEcb,
} from './block-cipher';
export type { BlockCipherName } from './block-cipher';
export { padIso9797 } from './padding';
export type { Iso9797Padding } from './padding';
export { aesCmac, cmac, macIso9797Alg1, macIso9797Alg3, tdesCmac } from './mac';
export { kcv } from './kcv';
export type { KcvAlgorithm } from './kcv';
