import fc from 'fast-check';
import {
  aesDecryptCbc,
  aesDecryptEcb,
  aesEncryptCbc,
  aesEncryptEcb,
  desDecryptCbc,
  desDecryptEcb,
  desEncryptCbc,
  desEncryptEcb,
  tdesDecryptCbc,
  tdesDecryptEcb,
  tdesEncryptCbc,
  tdesEncryptEcb,
} from './block-cipher';
import { bytesToHex, hexToBytes } from './hex';
import kat from './test-data/block-cipher-kat.json';

const FC = { seed: 20240602, numRuns: 100 };

type Kat = (typeof kat.vectors)[number];
type Pair = {
  encrypt: (key: Buffer, data: Buffer, iv?: Buffer) => Buffer;
  decrypt: (key: Buffer, data: Buffer, iv?: Buffer) => Buffer;
};

const ciphers: Record<string, Pair> = {
  'des/ecb': { encrypt: desEncryptEcb, decrypt: desDecryptEcb },
  'des/cbc': { encrypt: desEncryptCbc, decrypt: desDecryptCbc },
  'tdes/ecb': { encrypt: tdesEncryptEcb, decrypt: tdesDecryptEcb },
  'tdes/cbc': { encrypt: tdesEncryptCbc, decrypt: tdesDecryptCbc },
  'aes/ecb': { encrypt: aesEncryptEcb, decrypt: aesDecryptEcb },
  'aes/cbc': { encrypt: aesEncryptCbc, decrypt: aesDecryptCbc },
};

describe('block ciphers: published known answers', () => {
  it.each(kat.vectors.map((v): [string, Kat] => [`${v.cipher}-${v.mode}: ${v.source}`, v]))(
    '%s',
    (_, v) => {
      const { encrypt, decrypt } = ciphers[`${v.cipher}/${v.mode}`]!;
      const key = hexToBytes(v.key);
      const iv = 'iv' in v && v.iv ? hexToBytes(v.iv) : undefined;
      expect(bytesToHex(encrypt(key, hexToBytes(v.plaintext), iv))).toBe(v.ciphertext);
      expect(bytesToHex(decrypt(key, hexToBytes(v.ciphertext), iv))).toBe(v.plaintext);
    },
  );
});

describe('TDES keying options', () => {
  const k1 = hexToBytes('0123456789ABCDEF');
  const k2 = hexToBytes('FEDCBA9876543210');
  const block = hexToBytes('4E6F772069732074');

  it('runs single DES for an 8-byte key', () => {
    expect(tdesEncryptEcb(k1, block)).toEqual(desEncryptEcb(k1, block));
    expect(bytesToHex(desEncryptEcb(k1, block))).toBe('3FA40E8A984D4815');
  });

  it('treats a 16-byte key K1|K2 as the 3-key K1|K2|K1', () => {
    const twoKey = Buffer.concat([k1, k2]);
    expect(tdesEncryptEcb(twoKey, block)).toEqual(
      tdesEncryptEcb(Buffer.concat([k1, k2, k1]), block),
    );
  });

  it('is E(K1) D(K2) E(K3)', () => {
    const expected = desEncryptEcb(k1, desDecryptEcb(k2, desEncryptEcb(k1, block)));
    expect(tdesEncryptEcb(Buffer.concat([k1, k2]), block)).toEqual(expected);
  });

  it('uses a zero IV by default for CBC', () => {
    const key = Buffer.concat([k1, k2]);
    expect(tdesEncryptCbc(key, block)).toEqual(tdesEncryptEcb(key, block));
  });
});

describe('block ciphers: input validation', () => {
  it.each([
    ['DES with a 16-byte key', () => desEncryptEcb(Buffer.alloc(16), Buffer.alloc(8))],
    ['TDES with a 12-byte key', () => tdesEncryptEcb(Buffer.alloc(12), Buffer.alloc(8))],
    ['TDES with a 32-byte key', () => tdesDecryptCbc(Buffer.alloc(32), Buffer.alloc(8))],
    ['AES with an 8-byte key', () => aesEncryptEcb(Buffer.alloc(8), Buffer.alloc(16))],
    ['AES with a 20-byte key', () => aesDecryptCbc(Buffer.alloc(20), Buffer.alloc(16))],
  ])('rejects %s with INVALID_KEY_LENGTH', (_, call) => {
    expect(call).toThrow(expect.objectContaining({ code: 'INVALID_KEY_LENGTH', field: 'key' }));
  });

  it.each([
    ['TDES data of 7 bytes', () => tdesEncryptEcb(Buffer.alloc(16), Buffer.alloc(7))],
    ['AES data of 8 bytes', () => aesEncryptCbc(Buffer.alloc(16), Buffer.alloc(8))],
  ])('rejects %s with INVALID_DATA_LENGTH', (_, call) => {
    expect(call).toThrow(expect.objectContaining({ code: 'INVALID_DATA_LENGTH' }));
  });

  it('rejects an IV that is not one block', () => {
    expect(() => tdesEncryptCbc(Buffer.alloc(16), Buffer.alloc(8), Buffer.alloc(16))).toThrow(
      expect.objectContaining({ code: 'INVALID_IV_LENGTH' }),
    );
    expect(() => aesEncryptCbc(Buffer.alloc(16), Buffer.alloc(16), Buffer.alloc(8))).toThrow(
      expect.objectContaining({ code: 'INVALID_IV_LENGTH' }),
    );
  });

  it('never puts key bytes in the message', () => {
    const key = hexToBytes('0123456789ABCDEF0123');
    expect(() => tdesEncryptEcb(key, Buffer.alloc(8))).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('0123456789') }),
    );
  });
});

describe('block ciphers: decrypt inverts encrypt', () => {
  const blocks = (size: number) =>
    fc
      .integer({ min: 0, max: 4 })
      .chain((n) => fc.uint8Array({ minLength: n * size, maxLength: n * size }));

  it.each([
    ['TDES-ECB', tdesEncryptEcb, tdesDecryptEcb, [8, 16, 24], 8],
    ['TDES-CBC', tdesEncryptCbc, tdesDecryptCbc, [8, 16, 24], 8],
    ['AES-ECB', aesEncryptEcb, aesDecryptEcb, [16, 24, 32], 16],
    ['AES-CBC', aesEncryptCbc, aesDecryptCbc, [16, 24, 32], 16],
  ] as const)('%s', (_, encrypt, decrypt, keyLengths, blockSize) => {
    fc.assert(
      fc.property(
        fc.constantFrom(...keyLengths).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        blocks(blockSize),
        (key, data) => {
          const k = Buffer.from(key);
          expect(decrypt(k, encrypt(k, Buffer.from(data)))).toEqual(Buffer.from(data));
        },
      ),
      FC,
    );
  });
});
