import { desEncryptCbc } from './block-cipher';
import { bytesToHex, hexToBytes } from './hex';
import { aesCmac, cmacSubkeys, macIso9797Alg1, macIso9797Alg3, tdesCmac } from './mac';
import { Iso9797Padding } from './padding';
import cmacKat from './test-data/cmac-kat.json';
import macVectors from './test-data/mac.json';

const paddingOf = (text: string): Iso9797Padding => {
  const method = /method (\d)/.exec(text)?.[1];
  return method === undefined ? 1 : (Number(method) as Iso9797Padding);
};

type MacVector = (typeof macVectors.vectors)[number];
const byAlgorithm = (prefix: string) =>
  macVectors.vectors
    .filter((v) => v.algorithm.startsWith(prefix))
    .map((v): [string, MacVector] => [`${v.algorithm}: ${v.source}`, v]);

describe('ISO 9797-1 MAC algorithm 1 (mac.json)', () => {
  it.each(byAlgorithm('ISO 9797-1 MAC algorithm 1'))('%s', (_, v) => {
    const inputs = v.inputs as { key: string; data_hex: string; padding: string };
    const mac = macIso9797Alg1(
      hexToBytes(inputs.key),
      hexToBytes(inputs.data_hex),
      paddingOf(inputs.padding),
    );
    expect(bytesToHex(mac)).toBe(v.expected_mac);
  });

  it('DES CBC-MAC with a non-zero IV is the last CBC block (mac.json, FIPS 113 style)', () => {
    const v = macVectors.vectors.find((x) => x.algorithm === 'DES CBC-MAC with non-zero IV')!;
    const inputs = v.inputs as { key: string; iv: string; data_hex: string; mac_length: number };
    const data = hexToBytes(inputs.data_hex);
    const padded = Buffer.concat([data, Buffer.alloc((8 - (data.length % 8)) % 8)]);
    const chained = desEncryptCbc(hexToBytes(inputs.key), padded, hexToBytes(inputs.iv));
    expect(
      bytesToHex(chained.subarray(chained.length - 8, chained.length - 8 + inputs.mac_length)),
    ).toBe(v.expected_mac);
  });

  it('runs over single DES and AES when asked', () => {
    const data = Buffer.from('Now is the time for all ');
    const des = macIso9797Alg1(hexToBytes('0123456789ABCDEF'), data, 1, 'des');
    // FIPS 81 Table B1: the last block of DES-CBC with IV 0 is the DAA of FIPS 113.
    expect(des).toEqual(desEncryptCbc(hexToBytes('0123456789ABCDEF'), data).subarray(16));
    expect(macIso9797Alg1(Buffer.alloc(16), data, 2, 'aes')).toHaveLength(16);
  });
});

describe('ISO 9797-1 MAC algorithm 3 / ANSI X9.19 retail MAC (mac.json)', () => {
  it.each(byAlgorithm('ISO 9797-1 MAC algorithm 3'))('%s', (_, v) => {
    const inputs = v.inputs as {
      key_left_K: string;
      "key_right_K'": string;
      data_hex: string;
      padding: string;
    };
    const key = hexToBytes(inputs.key_left_K + inputs["key_right_K'"]);
    const mac = macIso9797Alg3(key, hexToBytes(inputs.data_hex), paddingOf(inputs.padding));
    expect(bytesToHex(mac)).toBe(v.expected_mac);
  });

  it("equals algorithm 1 when K = K'", () => {
    const k = hexToBytes('0123456789ABCDEF');
    const data = Buffer.from('4012345678909D987');
    expect(macIso9797Alg3(Buffer.concat([k, k]), data, 1)).toEqual(
      macIso9797Alg1(k, data, 1, 'des'),
    );
  });

  it.each([1, 2] as const)(
    "equals algorithm 1 when K = K' for messages of one block at most (padding method %i)",
    (padding) => {
      const k = hexToBytes('0123456789ABCDEF');
      for (const data of [Buffer.from('4012345'), Buffer.from('40123456'), Buffer.alloc(0)]) {
        if (padding === 1 && data.length === 0) continue; // method 1 pads nothing onto nothing
        expect(macIso9797Alg3(Buffer.concat([k, k]), data, padding)).toEqual(
          macIso9797Alg1(k, data, padding, 'des'),
        );
      }
    },
  );

  it('rejects a key that is not 16 bytes', () => {
    expect(() => macIso9797Alg3(Buffer.alloc(24), Buffer.alloc(8), 1)).toThrow(
      expect.objectContaining({ code: 'INVALID_KEY_LENGTH' }),
    );
  });
});

describe('CMAC (NIST SP 800-38B, RFC 4493)', () => {
  it.each(byAlgorithm('AES-CMAC').concat(byAlgorithm('TDES-CMAC')))('mac.json %s', (_, v) => {
    const inputs = v.inputs as { key: string; message: string };
    const mac = v.algorithm.startsWith('AES') ? aesCmac : tdesCmac;
    expect(bytesToHex(mac(hexToBytes(inputs.key), hexToBytes(inputs.message)))).toBe(
      v.expected_mac,
    );
  });

  const message = hexToBytes(cmacKat.message);
  it.each(
    cmacKat.vectors.map((v): [string, (typeof cmacKat.vectors)[number]] => [
      `cmac-kat.json ${v.source}`,
      v,
    ]),
  )('%s', (_, v) => {
    const mac = v.cipher === 'aes' ? aesCmac : tdesCmac;
    const tag = mac(hexToBytes(v.key), message.subarray(0, v.message_length_bytes));
    expect(bytesToHex(tag)).toBe(v.expected_mac);
  });

  it('derives the RFC 4493 subkeys', () => {
    const { l, k1, k2 } = cmacSubkeys('aes', hexToBytes(cmacKat.subkeys.key));
    expect([bytesToHex(l), bytesToHex(k1), bytesToHex(k2)]).toEqual([
      cmacKat.subkeys.L,
      cmacKat.subkeys.K1,
      cmacKat.subkeys.K2,
    ]);
  });

  it('rejects bad key lengths', () => {
    expect(() => aesCmac(Buffer.alloc(15), Buffer.alloc(0))).toThrow(
      expect.objectContaining({ code: 'INVALID_KEY_LENGTH' }),
    );
    expect(() => tdesCmac(Buffer.alloc(20), Buffer.alloc(0))).toThrow(
      expect.objectContaining({ code: 'INVALID_KEY_LENGTH' }),
    );
  });
});
