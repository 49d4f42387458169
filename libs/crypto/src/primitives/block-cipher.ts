import { createCipheriv, createDecipheriv } from 'node:crypto';
import { CryptoError } from './crypto-error';

export const DES_BLOCK_SIZE = 8;
export const AES_BLOCK_SIZE = 16;

const ZERO_DES_IV = Buffer.alloc(DES_BLOCK_SIZE);
const ZERO_AES_IV = Buffer.alloc(AES_BLOCK_SIZE);

type Mode = 'ecb' | 'cbc';
type Direction = 'encrypt' | 'decrypt';

/**
 * OpenSSL 3 only offers single DES through its legacy provider, so every DES
 * family key is run through 'des-ede3' as K1|K2|K3: an 8-byte key K becomes
 * K|K|K (EDE with equal keys is DES), a 16-byte 2TDEA key K1|K2 becomes
 * K1|K2|K1 (X9.52 keying option 2).
 */
function expandDesKey(key: Buffer, allowed: readonly number[], algorithm: string): Buffer {
  if (!allowed.includes(key.length)) {
    throw new CryptoError(
      'INVALID_KEY_LENGTH',
      `${algorithm} key must be ${allowed.join(', ')} bytes, got ${key.length}`,
      'key',
    );
  }
  switch (key.length) {
    case 8:
      return Buffer.concat([key, key, key]);
    case 16:
      return Buffer.concat([key, key.subarray(0, 8)]);
    default:
      return key;
  }
}

function aesCipherName(key: Buffer, mode: Mode): string {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new CryptoError(
      'INVALID_KEY_LENGTH',
      `AES key must be 16, 24 or 32 bytes, got ${key.length}`,
      'key',
    );
  }
  return `aes-${key.length * 8}-${mode}`;
}

function run(
  cipherName: string,
  key: Buffer,
  iv: Buffer | null,
  data: Buffer,
  blockSize: number,
  direction: Direction,
): Buffer {
  if (data.length % blockSize !== 0) {
    throw new CryptoError(
      'INVALID_DATA_LENGTH',
      `data must be a multiple of ${blockSize} bytes, got ${data.length}`,
      'data',
    );
  }
  if (iv !== null && iv.length !== blockSize) {
    throw new CryptoError(
      'INVALID_IV_LENGTH',
      `IV must be ${blockSize} bytes, got ${iv.length}`,
      'iv',
    );
  }
  const cipher =
    direction === 'encrypt'
      ? createCipheriv(cipherName, key, iv)
      : createDecipheriv(cipherName, key, iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/** Single DES (8-byte key). Legacy: only for retail MAC, DUKPT TDES and interoperability. */
export function desEncryptEcb(key: Buffer, data: Buffer): Buffer {
  return run('des-ede3-ecb', expandDesKey(key, [8], 'DES'), null, data, DES_BLOCK_SIZE, 'encrypt');
}

export function desDecryptEcb(key: Buffer, data: Buffer): Buffer {
  return run('des-ede3-ecb', expandDesKey(key, [8], 'DES'), null, data, DES_BLOCK_SIZE, 'decrypt');
}

export function desEncryptCbc(key: Buffer, data: Buffer, iv: Buffer = ZERO_DES_IV): Buffer {
  return run('des-ede3-cbc', expandDesKey(key, [8], 'DES'), iv, data, DES_BLOCK_SIZE, 'encrypt');
}

export function desDecryptCbc(key: Buffer, data: Buffer, iv: Buffer = ZERO_DES_IV): Buffer {
  return run('des-ede3-cbc', expandDesKey(key, [8], 'DES'), iv, data, DES_BLOCK_SIZE, 'decrypt');
}

/** TDES-ECB. Key: 8 bytes (single DES), 16 (2TDEA) or 24 (3TDEA). No padding. */
export function tdesEncryptEcb(key: Buffer, data: Buffer): Buffer {
  return run(
    'des-ede3-ecb',
    expandDesKey(key, [8, 16, 24], 'TDES'),
    null,
    data,
    DES_BLOCK_SIZE,
    'encrypt',
  );
}

export function tdesDecryptEcb(key: Buffer, data: Buffer): Buffer {
  return run(
    'des-ede3-ecb',
    expandDesKey(key, [8, 16, 24], 'TDES'),
    null,
    data,
    DES_BLOCK_SIZE,
    'decrypt',
  );
}

/** TDES-CBC. Key: 8, 16 or 24 bytes. IV defaults to eight zero bytes. No padding. */
export function tdesEncryptCbc(key: Buffer, data: Buffer, iv: Buffer = ZERO_DES_IV): Buffer {
  return run(
    'des-ede3-cbc',
    expandDesKey(key, [8, 16, 24], 'TDES'),
    iv,
    data,
    DES_BLOCK_SIZE,
    'encrypt',
  );
}

export function tdesDecryptCbc(key: Buffer, data: Buffer, iv: Buffer = ZERO_DES_IV): Buffer {
  return run(
    'des-ede3-cbc',
    expandDesKey(key, [8, 16, 24], 'TDES'),
    iv,
    data,
    DES_BLOCK_SIZE,
    'decrypt',
  );
}

/** AES-ECB. Key: 16, 24 or 32 bytes. No padding. */
export function aesEncryptEcb(key: Buffer, data: Buffer): Buffer {
  return run(aesCipherName(key, 'ecb'), key, null, data, AES_BLOCK_SIZE, 'encrypt');
}

export function aesDecryptEcb(key: Buffer, data: Buffer): Buffer {
  return run(aesCipherName(key, 'ecb'), key, null, data, AES_BLOCK_SIZE, 'decrypt');
}

/** AES-CBC. Key: 16, 24 or 32 bytes. IV defaults to sixteen zero bytes. No padding. */
export function aesEncryptCbc(key: Buffer, data: Buffer, iv: Buffer = ZERO_AES_IV): Buffer {
  return run(aesCipherName(key, 'cbc'), key, iv, data, AES_BLOCK_SIZE, 'encrypt');
}

export function aesDecryptCbc(key: Buffer, data: Buffer, iv: Buffer = ZERO_AES_IV): Buffer {
  return run(aesCipherName(key, 'cbc'), key, iv, data, AES_BLOCK_SIZE, 'decrypt');
}

/** A block cipher by family, for modes (CBC-MAC, CMAC) written once over both. */
export type BlockCipherName = 'des' | 'tdes' | 'aes';

export function blockSizeOf(cipher: BlockCipherName): number {
  return cipher === 'aes' ? AES_BLOCK_SIZE : DES_BLOCK_SIZE;
}

export function encryptEcb(cipher: BlockCipherName, key: Buffer, data: Buffer): Buffer {
  switch (cipher) {
    case 'des':
      return desEncryptEcb(key, data);
    case 'tdes':
      return tdesEncryptEcb(key, data);
    case 'aes':
      return aesEncryptEcb(key, data);
  }
}

export function encryptCbc(
  cipher: BlockCipherName,
  key: Buffer,
  data: Buffer,
  iv?: Buffer,
): Buffer {
  switch (cipher) {
    case 'des':
      return desEncryptCbc(key, data, iv);
    case 'tdes':
      return tdesEncryptCbc(key, data, iv);
    case 'aes':
      return aesEncryptCbc(key, data, iv);
  }
}
