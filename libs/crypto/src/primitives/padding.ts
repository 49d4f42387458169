import { CryptoError } from './crypto-error';

export type Iso9797Padding = 1 | 2 | 3;

/**
 * ISO/IEC 9797-1:2011 §6.3 padding.
 * Method 1: zero bits up to a positive multiple of the block (so empty data
 * becomes one zero block). Method 2: one '1' bit (0x80) then zero bits.
 * Method 3: a length block L (bit length of the data, big-endian), then the
 * data right-padded with as few zero bits as needed (possibly none).
 */
export function padIso9797(data: Buffer, method: Iso9797Padding, blockSize: number): Buffer {
  if (blockSize !== 8 && blockSize !== 16) {
    throw new CryptoError(
      'INVALID_ARGUMENT',
      `block size must be 8 or 16 bytes, got ${blockSize}`,
      'blockSize',
    );
  }
  switch (method) {
    case 1: {
      const length = Math.max(blockSize, roundUp(data.length, blockSize));
      return Buffer.concat([data, Buffer.alloc(length - data.length)]);
    }
    case 2: {
      const length = roundUp(data.length + 1, blockSize);
      const padding = Buffer.alloc(length - data.length);
      padding[0] = 0x80;
      return Buffer.concat([data, padding]);
    }
    case 3: {
      const lengthBlock = Buffer.alloc(blockSize);
      let bits = BigInt(data.length) * 8n;
      for (let i = blockSize - 1; i >= 0 && bits > 0n; i--) {
        lengthBlock[i] = Number(bits & 0xffn);
        bits >>= 8n;
      }
      const length = roundUp(data.length, blockSize);
      return Buffer.concat([lengthBlock, data, Buffer.alloc(length - data.length)]);
    }
    default:
      throw new CryptoError(
        'INVALID_ARGUMENT',
        `ISO 9797-1 padding method must be 1, 2 or 3`,
        'method',
      );
  }
}

function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}
