import { bytesToHex, hexToBytes } from './hex';
import { KcvAlgorithm, kcv } from './kcv';
import vectors from './test-data/kcv.json';

describe('kcv (kcv.json)', () => {
  it.each(
    vectors.vectors.map((v): [string, (typeof vectors.vectors)[number]] => [
      `${v.key_type}: ${v.source}`,
      v,
    ]),
  )('%s', (_, v) => {
    const algorithm: KcvAlgorithm = v.method.startsWith('AES') ? 'aes' : 'tdes';
    const length = v.expected_kcv.length / 2;
    expect(bytesToHex(kcv(hexToBytes(v.key), algorithm, length))).toBe(v.expected_kcv);
  });

  it('defaults to 3 bytes and can give the full TDES block', () => {
    const key = hexToBytes('0123456789ABCDEFFEDCBA9876543210');
    expect(bytesToHex(kcv(key, 'tdes'))).toBe('08D7B4');
    expect(bytesToHex(kcv(key, 'tdes', 8))).toBe('08D7B4FB629D0885');
  });

  it('uses CMAC, not ECB of zeros, for AES (the legacy value differs)', () => {
    // kcv.json test6 note: AES-ECB of zeros under this key starts E5E07C.
    expect(bytesToHex(kcv(hexToBytes('3F419E1CB7079442AA37474C2EFBF8B8'), 'aes'))).not.toBe(
      'E5E07C',
    );
  });

  it('rejects a length outside the block', () => {
    expect(() => kcv(Buffer.alloc(16), 'tdes', 9)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => kcv(Buffer.alloc(16), 'aes', 0)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
