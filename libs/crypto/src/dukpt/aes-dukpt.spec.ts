import { createHmac } from 'node:crypto';
import { aesEncryptCbc } from '../primitives/block-cipher';
import { bytesToHex, hexToBytes } from '../primitives/hex';
import { aesCmac } from '../primitives/mac';
import {
  AES_DUKPT_KEY_TYPES,
  AES_DUKPT_USAGES,
  AesDukptKeyType,
  AesDukptUsage,
  aesDukpt,
} from './aes-dukpt';
import supplement from './test-data/dukpt_aes.json';
import extra from './test-data/dukpt_aes_extra.json';

const keyTypeOf = (label: string): AesDukptKeyType =>
  ({ AES128: 'aes128', AES192: 'aes192', AES256: 'aes256', '2TDEA': 'tdes2', '3TDEA': 'tdes3' })[
    label
  ] as AesDukptKeyType;

const usageOf = (label: string): AesDukptUsage => {
  const code = /0x([0-9A-F]{4})/i.exec(label)?.[1];
  const usages: Record<string, AesDukptUsage> = {
    '1000': 'pin',
    '2000': 'mac-generation',
    '3000': 'data-encrypt',
  };
  const usage = code === undefined ? undefined : usages[code];
  if (!usage) throw new Error(`no usage for ${label}`);
  return usage;
};

describe('AES DUKPT initial key (X9.24-3:2017 §6.3.3)', () => {
  const cases = [...supplement.initial_keys, ...extra.initial_keys].map((v): [string, typeof v] => [
    `${v.bdk_type} BDK, IKID ${v.initial_key_id}: ${v.source}`,
    v,
  ]);

  it.each(cases)('%s', (_, v) => {
    const initialKey = aesDukpt.deriveInitialKey(hexToBytes(v.bdk), hexToBytes(v.initial_key_id));
    expect(bytesToHex(initialKey)).toBe(v.expected_initial_key);
  });
});

describe('AES DUKPT transaction derivation and working keys (dukpt_aes.json, X9.24-3:2017 supplement)', () => {
  type Vector = (typeof supplement.vectors)[number];
  const cases = supplement.vectors.map((v): [string, Vector] => [
    `${v.bdk_type} BDK, KSN ${v.ksn}`,
    v,
  ]);

  it.each(cases)('%s', (_, v) => {
    const ksn = hexToBytes(v.ksn);
    const initialKey = aesDukpt.deriveInitialKey(hexToBytes(v.bdk), hexToBytes(v.initial_key_id));
    const transactionKey = aesDukpt.deriveTransactionKey(initialKey, ksn);
    expect(bytesToHex(transactionKey)).toBe(v.expected.transaction_derivation_key);

    for (const w of ('working_keys' in v && v.working_keys) || []) {
      const usage = usageOf(w.key_usage);
      const keyType = keyTypeOf(w.derived_key_type);
      const key = aesDukpt.workingKey(transactionKey, { ksn, usage, keyType });
      expect([usage, keyType, bytesToHex(key)]).toEqual([usage, keyType, w.expected_key]);
      expect(aesDukpt.deriveWorkingKey({ bdk: hexToBytes(v.bdk), ksn, usage, keyType })).toEqual(
        key,
      );
    }
  });

  const single = supplement.single_bit_counter_keys;
  it.each(single.vectors.map((v): [string, (typeof single.vectors)[number]] => [v.ksn, v]))(
    'intermediate key for single-bit counter %s',
    (_, v) => {
      const initialKey = aesDukpt.deriveInitialKey(
        hexToBytes('FEDCBA9876543210F1F1F1F1F1F1F1F1'),
        hexToBytes('1234567890123456'),
      );
      expect(bytesToHex(aesDukpt.deriveTransactionKey(initialKey, hexToBytes(v.ksn)))).toBe(
        v.expected.transaction_derivation_key,
      );
    },
  );
});

describe('AES DUKPT working keys by usage (dukpt_aes_extra.json, X9.24-3 B.1)', () => {
  const { working_keys: wk } = extra;
  const cases = wk.vectors.flatMap((v) =>
    (['pin', 'mac-generation', 'data-encrypt'] as const).map(
      (usage): [string, AesDukptUsage, string, string] => [
        `${usage} key for KSN ${v.ksn}`,
        usage,
        v.ksn,
        v[usage],
      ],
    ),
  );

  it.each(cases)('%s', (_, usage, ksn, expected) => {
    const key = aesDukpt.deriveWorkingKey({
      bdk: hexToBytes(wk.bdk),
      ksn: hexToBytes(ksn),
      usage,
      keyType: 'aes128',
    });
    expect(bytesToHex(key)).toBe(expected);
  });
});

describe('AES DUKPT MACs and data encryption (dukpt_aes.json, moov-io cross-check)', () => {
  const { vectors } = supplement.moov_io_mac_and_data_vectors;
  const bdk = hexToBytes('FEDCBA9876543210F1F1F1F1F1F1F1F1');
  const message = hexToBytes('3430313233343536373839303944393837');
  const padded = Buffer.concat([message, Buffer.alloc(32 - message.length)]);
  const field = (v: (typeof vectors)[number], prefix: string) =>
    Object.entries(v.expected).find(([name]) => name.startsWith(prefix))![1];

  it.each(vectors.map((v): [string, (typeof vectors)[number]] => [v.ksn, v]))('KSN %s', (_, v) => {
    const ksn = hexToBytes(v.ksn);
    const key = (usage: AesDukptUsage, keyType: AesDukptKeyType = 'aes128') =>
      aesDukpt.deriveWorkingKey({ bdk, ksn, usage, keyType });
    const hmac = (k: Buffer) => createHmac('sha256', k).update(message).digest();

    expect(bytesToHex(aesCmac(key('mac-generation'), message))).toBe(field(v, 'cmac_request'));
    expect(bytesToHex(aesCmac(key('mac-verification'), message))).toBe(field(v, 'cmac_response'));
    expect(bytesToHex(hmac(key('mac-generation', 'hmac128')))).toBe(field(v, 'hmac_request'));
    expect(bytesToHex(hmac(key('mac-verification', 'hmac128')))).toBe(field(v, 'hmac_response'));
    expect(bytesToHex(aesEncryptCbc(key('data-encrypt'), padded))).toBe(field(v, 'data_request'));
    expect(bytesToHex(aesEncryptCbc(key('data-decrypt'), padded))).toBe(field(v, 'data_response'));
  });
});

describe('AES DUKPT update key (X9.24-3:2017 §6.5.3)', () => {
  const { vectors } = supplement.update_key_vectors;
  it.each(
    vectors.map((v): [string, (typeof vectors)[number]] => [
      `${v.bdk_type} -> ${v.derived_key_type}`,
      v,
    ]),
  )('%s', (_, v) => {
    const key = aesDukpt.deriveUpdateKey({
      initialKey: hexToBytes(v.initial_key),
      initialKeyId: hexToBytes(v.initial_key_id),
      keyType: keyTypeOf(v.derived_key_type),
    });
    expect(bytesToHex(key)).toBe(v.expected_update_key);
  });
});

describe('AES DUKPT key usages and types', () => {
  const bdk = hexToBytes('FEDCBA9876543210F1F1F1F1F1F1F1F1FEDCBA9876543210F1F1F1F1F1F1F1F1');
  const ksn = hexToBytes('123456789012345600000001');

  it('gives a distinct key of the right length for every usage and type', () => {
    const lengths: Record<AesDukptKeyType, number> = {
      tdes2: 16,
      tdes3: 24,
      aes128: 16,
      aes192: 24,
      aes256: 32,
      hmac128: 16,
      hmac192: 24,
      hmac256: 32,
    };
    const seen = new Set<string>();
    for (const usage of AES_DUKPT_USAGES) {
      for (const keyType of AES_DUKPT_KEY_TYPES) {
        const key = aesDukpt.deriveWorkingKey({ bdk, ksn, usage, keyType });
        expect([usage, keyType, key.length]).toEqual([usage, keyType, lengths[keyType]]);
        seen.add(bytesToHex(key));
      }
    }
    expect(seen.size).toBe(AES_DUKPT_USAGES.length * AES_DUKPT_KEY_TYPES.length);
  });

  it.each([
    ['aes192', 'FEDCBA9876543210F1F1F1F1F1F1F1F1'],
    ['aes256', 'FEDCBA9876543210F1F1F1F1F1F1F1F1'],
    ['aes256', 'FEDCBA9876543210F1F1F1F1F1F1F1F1FEDCBA9876543210'],
  ] as const)('refuses an %s key from a weaker BDK (%s)', (keyType, bdkHex) => {
    expect(() =>
      aesDukpt.deriveWorkingKey({ bdk: hexToBytes(bdkHex), ksn, usage: 'pin', keyType }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_KEY_USAGE', field: 'keyType' }));
  });

  it('rejects unknown usages and key types', () => {
    expect(() =>
      aesDukpt.deriveWorkingKey({ bdk, ksn, usage: 'cvv' as AesDukptUsage, keyType: 'aes128' }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_KEY_USAGE', field: 'usage' }));
    expect(() =>
      aesDukpt.deriveWorkingKey({ bdk, ksn, usage: 'pin', keyType: 'des' as AesDukptKeyType }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_KEY_USAGE', field: 'keyType' }));
  });
});

describe('AES DUKPT input validation', () => {
  const bdk = hexToBytes('FEDCBA9876543210F1F1F1F1F1F1F1F1');

  it.each([
    [
      'a 2TDEA-sized BDK of 8 bytes',
      () => aesDukpt.deriveInitialKey(Buffer.alloc(8), Buffer.alloc(8)),
    ],
    ['a 20-byte BDK', () => aesDukpt.deriveInitialKey(Buffer.alloc(20), Buffer.alloc(8))],
    [
      'a 15-byte initial key',
      () => aesDukpt.deriveTransactionKey(Buffer.alloc(15), Buffer.alloc(12, 1)),
    ],
  ])('rejects %s with INVALID_KEY_LENGTH', (_, call) => {
    expect(call).toThrow(expect.objectContaining({ code: 'INVALID_KEY_LENGTH' }));
  });

  it('rejects an initial key ID that is not 8 bytes', () => {
    expect(() => aesDukpt.deriveInitialKey(bdk, Buffer.alloc(10))).toThrow(
      expect.objectContaining({ code: 'INVALID_KSN' }),
    );
  });

  it.each([
    ['a TDES KSN', 'FFFF9876543210E00001', 'INVALID_KSN'],
    ['counter 0', '123456789012345600000000', 'INVALID_KSN_COUNTER'],
    ['17 one bits', '12345678901234560001FFFF', 'INVALID_KSN_COUNTER'],
    [
      'counter FFFFFFFF (reserved for the update key)',
      '1234567890123456FFFFFFFF',
      'INVALID_KSN_COUNTER',
    ],
  ])('refuses a working key for %s', (_, ksn, code) => {
    expect(() =>
      aesDukpt.deriveWorkingKey({ bdk, ksn: hexToBytes(ksn), usage: 'pin', keyType: 'aes128' }),
    ).toThrow(expect.objectContaining({ code }));
  });
});

describe('AES DUKPT transaction key path (resuming a derivation)', () => {
  it.each(supplement.vectors.map((v): [string, (typeof supplement.vectors)[number]] => [v.ksn, v]))(
    'reaches the supplement transaction derivation key of %s from every key on its path',
    (_, v) => {
      const ksn = hexToBytes(v.ksn);
      const initialKey = aesDukpt.deriveInitialKey(hexToBytes(v.bdk), hexToBytes(v.initial_key_id));
      const path = aesDukpt.transactionKeyPath({ key: initialKey, counter: 0 }, ksn);
      expect(path.at(-1)?.counter ?? 0).toBe(ksn.readUInt32BE(8));
      for (const from of [{ key: initialKey, counter: 0 }, ...path]) {
        const rest = aesDukpt.transactionKeyPath(from, ksn);
        expect(bytesToHex(rest.at(-1)?.key ?? from.key)).toBe(
          v.expected.transaction_derivation_key,
        );
      }
    },
  );

  it('refuses to resume from a counter that is not on the path', () => {
    const key = Buffer.alloc(16, 1);
    const ksn = hexToBytes('1234567890123456FFFF0000');
    expect(() => aesDukpt.transactionKeyPath({ key, counter: 0xff000000 }, ksn)).not.toThrow();
    expect(() => aesDukpt.transactionKeyPath({ key, counter: 0x0fff0000 }, ksn)).toThrow(
      expect.objectContaining({ code: 'INVALID_KSN_COUNTER' }),
    );
  });
});
