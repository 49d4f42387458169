import {
  AES_BLOCK_SIZE,
  BlockCipherName,
  blockSizeOf,
  desEncryptCbc,
  encryptCbc,
  encryptEcb,
  tdesEncryptEcb,
} from './block-cipher';
import { xor } from './bytes';
import { CryptoError } from './crypto-error';
import { Iso9797Padding, padIso9797 } from './padding';

/**
 * ISO/IEC 9797-1 MAC algorithm 1: CBC-MAC with IV zero, output the last
 * block (truncate it yourself, e.g. to 4 bytes). With 'des' and padding 1
 * this is also FIPS 113 / ANSI X9.9.
 */
export function macIso9797Alg1(
  key: Buffer,
  data: Buffer,
  padding: Iso9797Padding,
  blockCipher: BlockCipherName = 'tdes',
): Buffer {
  const blockSize = blockSizeOf(blockCipher);
  const chained = encryptCbc(blockCipher, key, padIso9797(data, padding, blockSize));
  return chained.subarray(chained.length - blockSize);
}

/**
 * ISO/IEC 9797-1 MAC algorithm 3, the "retail MAC" of ANSI X9.19: DES-CBC
 * under K, then the last block is decrypted under K' and encrypted under K.
 * Key: 16 bytes K|K'.
 */
export function macIso9797Alg3(key: Buffer, data: Buffer, padding: Iso9797Padding): Buffer {
  if (key.length !== 16) {
    throw new CryptoError(
      'INVALID_KEY_LENGTH',
      `retail MAC key must be 16 bytes (K|K'), got ${key.length}`,
      'key',
    );
  }
  // The last block's E_K(D_K'(E_K(x))) is 2TDEA encryption under K|K': DES-CBC under K over
  // the blocks before it, then one TDES encryption of the last block chained to that.
  const padded = padIso9797(data, padding, 8);
  const head = padded.subarray(0, padded.length - 8);
  const chain =
    head.length === 0 ? Buffer.alloc(8) : desEncryptCbc(key.subarray(0, 8), head).subarray(-8);
  return tdesEncryptEcb(key, xor(padded.subarray(-8), chain));
}

/** NIST SP 800-38B CMAC over AES (RFC 4493 for 128-bit keys). Full 16-byte tag. */
export function aesCmac(key: Buffer, data: Buffer): Buffer {
  return cmac('aes', key, data);
}

/** NIST SP 800-38B CMAC over TDES (16- or 24-byte key; 8 bytes runs single DES). Full 8-byte tag. */
export function tdesCmac(key: Buffer, data: Buffer): Buffer {
  return cmac('tdes', key, data);
}

// SP 800-38B §5.3: R_b for 64- and 128-bit blocks.
const RB: Record<number, number> = { 8: 0x1b, [AES_BLOCK_SIZE]: 0x87 };

export function cmac(cipher: BlockCipherName, key: Buffer, data: Buffer): Buffer {
  const blockSize = blockSizeOf(cipher);
  const { k1, k2 } = cmacSubkeys(cipher, key);

  // SP 800-38B §6.2: the last block is XORed with K1 if complete, else padded 10* and XORed with K2.
  const blocks = Math.max(1, Math.ceil(data.length / blockSize));
  const lastStart = (blocks - 1) * blockSize;
  const tail = data.subarray(lastStart);
  const lastBlock =
    tail.length === blockSize
      ? xor(tail, k1)
      : xor(padIso9797(tail, 2, blockSize).subarray(0, blockSize), k2);

  const message = Buffer.concat([data.subarray(0, lastStart), lastBlock]);
  const chained = encryptCbc(cipher, key, message);
  return chained.subarray(chained.length - blockSize);
}

/** SP 800-38B §6.1: subkeys K1, K2 from L = CIPH_K(0^b). Exported for tests only. */
export function cmacSubkeys(
  cipher: BlockCipherName,
  key: Buffer,
): { l: Buffer; k1: Buffer; k2: Buffer } {
  const blockSize = blockSizeOf(cipher);
  const l = encryptEcb(cipher, key, Buffer.alloc(blockSize));
  const k1 = doubleBlock(l, RB[blockSize]!);
  const k2 = doubleBlock(k1, RB[blockSize]!);
  return { l, k1, k2 };
}

function doubleBlock(block: Buffer, rb: number): Buffer {
  const out = Buffer.alloc(block.length);
  for (let i = 0; i < block.length; i++) {
    out[i] = ((block[i]! << 1) & 0xff) | (i + 1 < block.length ? block[i + 1]! >> 7 : 0);
  }
  if (block[0]! & 0x80) out[block.length - 1]! ^= rb;
  return out;
}
