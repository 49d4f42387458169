import { AES_BLOCK_SIZE, DES_BLOCK_SIZE, tdesEncryptEcb } from './block-cipher';
import { CryptoError } from './crypto-error';
import { aesCmac } from './mac';

export type KcvAlgorithm = 'tdes' | 'aes';

/**
 * Key check value, leftmost `length` bytes of:
 * - TDES: the encryption of one zero block (X9.24-1 / common HSM practice);
 * - AES: the CMAC of one zero block (X9.24-3 / ANSI X9.143 §6.3), not the
 *   legacy AES-ECB of zeros, which gives a different value.
 */
export function kcv(key: Buffer, algorithm: KcvAlgorithm, length = 3): Buffer {
  const blockSize = algorithm === 'aes' ? AES_BLOCK_SIZE : DES_BLOCK_SIZE;
  if (!Number.isInteger(length) || length < 1 || length > blockSize) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `KCV length must be 1 to ${blockSize} bytes, got ${length}`,
      'length',
    );
  }
  const zeros = Buffer.alloc(blockSize);
  const full = algorithm === 'aes' ? aesCmac(key, zeros) : tdesEncryptEcb(key, zeros);
  return full.subarray(0, length);
}
