import { tdesDecryptCbc, tdesEncryptCbc, tdesEncryptEcb } from '../primitives/block-cipher';
import { bytesToHex, hexToBytes } from '../primitives/hex';
import { macIso9797Alg3, tdesCmac } from '../primitives/mac';
import { tdesDukpt, TdesDukptUsage } from './tdes-dukpt';
import annexA from './test-data/dukpt_tdes.json';
import extra from './test-data/dukpt_tdes_extra.json';

const common = annexA.common_inputs;
const bdk = hexToBytes(common.bdk);
const ipek = tdesDukpt.deriveIpek(bdk, hexToBytes(common.initial_ksn));

type AnnexVector = (typeof annexA.vectors)[number];
const annexCases = annexA.vectors.map((v): [string, AnnexVector] => [
  `${v.ksn} (${v.sequence})`,
  v,
]);

const derivedKey = (v: AnnexVector, prefix: string): string => {
  const entry = Object.entries(v.derived_not_in_source).find(([name]) => name.startsWith(prefix));
  if (!entry) throw new Error(`vector ${v.ksn} has no ${prefix}`);
  return entry[1];
};

describe('TDES DUKPT IPEK (X9.24-1:2009 §A.6)', () => {
  it('derives the Annex A.4 IPEK', () => {
    expect(bytesToHex(ipek)).toBe(common.expected_ipek);
  });

  it('ignores the counter bits of the KSN', () => {
    expect(tdesDukpt.deriveIpek(bdk, hexToBytes('FFFF9876543210E00015'))).toEqual(ipek);
    expect(bytesToHex(tdesDukpt.deriveIpek(bdk, hexToBytes('FFFF9876543210E1FFFF')))).toBe(
      annexA.ipek_cross_check.expected_ipek,
    );
  });
});

describe('TDES DUKPT transaction keys and working keys (dukpt_tdes.json, X9.24-1:2009 A.4)', () => {
  it.each(annexCases)('transaction key for %s', (_, v) => {
    const ksn = hexToBytes(v.ksn);
    expect(bytesToHex(tdesDukpt.deriveTransactionKey(ipek, ksn))).toBe(
      v.expected.transaction_key_base,
    );
  });

  it.each(annexCases)('working keys for %s', (_, v) => {
    const transactionKey = tdesDukpt.deriveTransactionKey(ipek, hexToBytes(v.ksn));
    const expected: Record<TdesDukptUsage, string> = {
      pin: derivedKey(v, 'pin_encryption_key'),
      'mac-request': derivedKey(v, 'mac_request_key'),
      'mac-response': derivedKey(v, 'mac_response_key'),
      'data-request': derivedKey(v, 'data_request_key'),
      'data-response': derivedKey(v, 'data_response_key'),
    };
    for (const [usage, key] of Object.entries(expected) as [TdesDukptUsage, string][]) {
      expect([usage, bytesToHex(tdesDukpt.workingKey(transactionKey, usage))]).toEqual([
        usage,
        key,
      ]);
    }
  });

  it.each(annexCases)('PIN block, MACs and data encryption for %s', (_, v) => {
    const ksn = hexToBytes(v.ksn);
    const key = (usage: TdesDukptUsage) => tdesDukpt.deriveWorkingKey({ bdk, ksn, usage });
    const macData = hexToBytes(common.mac_data_hex);

    expect(bytesToHex(tdesEncryptEcb(key('pin'), hexToBytes(common.clear_pin_block_iso0)))).toBe(
      v.expected.encrypted_pin_block_iso0,
    );
    const requestMac = macIso9797Alg3(key('mac-request'), macData, 1);
    const responseMac = macIso9797Alg3(key('mac-response'), macData, 1);
    expect(bytesToHex(requestMac.subarray(0, 4))).toBe(v.expected.request_mac_x919_4bytes);
    expect(bytesToHex(responseMac.subarray(0, 4))).toBe(v.expected.response_mac_x919_4bytes);
    const fullMacs = 'cross_check_moov_io_dukpt' in v ? v.cross_check_moov_io_dukpt : undefined;
    if (fullMacs) {
      expect(bytesToHex(requestMac)).toBe(fullMacs.request_mac_8bytes);
      expect(bytesToHex(responseMac)).toBe(fullMacs.response_mac_8bytes);
    }
    const derivedMacs: Partial<Record<string, string>> = v.derived_not_in_source;
    if (derivedMacs.request_mac_full_8bytes) {
      expect(bytesToHex(requestMac)).toBe(derivedMacs.request_mac_full_8bytes);
      expect(bytesToHex(responseMac)).toBe(derivedMacs.response_mac_full_8bytes);
    }

    const plaintext = hexToBytes(common.request_data_encryption_plaintext_hex);
    expect(bytesToHex(tdesEncryptCbc(key('data-request'), plaintext))).toBe(
      v.expected.request_data_cbc_iv0,
    );
    if (fullMacs) {
      expect(bytesToHex(tdesEncryptCbc(key('data-response'), plaintext))).toBe(
        fullMacs.response_data_cbc_iv0,
      );
    }

    expect(bytesToHex(tdesCmac(key('mac-request'), macData))).toBe(
      v.extra_implementation_values_not_in_standard.request_tdes_cmac_8bytes,
    );
    expect(bytesToHex(tdesCmac(key('mac-response'), macData))).toBe(
      v.extra_implementation_values_not_in_standard.response_tdes_cmac_8bytes,
    );
  });
});

describe('TDES DUKPT further vectors (dukpt_tdes_extra.json)', () => {
  const extraBdk = hexToBytes(extra.bdk);

  it.each(extra.pin_key_vectors)('PIN key for $ksn', (v) => {
    const key = tdesDukpt.deriveWorkingKey({ bdk: extraBdk, ksn: hexToBytes(v.ksn), usage: 'pin' });
    expect(bytesToHex(key)).toBe(v.expected_pin_key);
  });

  it.each(extra.pin_block_vectors)('PIN block under the key for $ksn', (v) => {
    const key = tdesDukpt.deriveWorkingKey({ bdk: extraBdk, ksn: hexToBytes(v.ksn), usage: 'pin' });
    // Clear format-0 block of PIN 1234 and PAN 4012345678909, as in Annex A.4.
    expect(bytesToHex(tdesEncryptEcb(key, hexToBytes(common.clear_pin_block_iso0)))).toBe(
      v.expected_encrypted_pin_block,
    );
  });

  it('encrypts track data under the PIN variant (Dukpt.NET)', () => {
    const v = extra.data_vectors[0]!;
    const key = tdesDukpt.deriveWorkingKey({ bdk: extraBdk, ksn: hexToBytes(v.ksn), usage: 'pin' });
    const plaintext = Buffer.from(v.plaintext_ascii!, 'latin1');
    expect(bytesToHex(tdesEncryptCbc(key, plaintext))).toBe(v.expected_ciphertext);
  });

  it('decrypts ID TECH track data under the data key, with the one-way step', () => {
    const v = extra.data_vectors[1]!;
    const key = tdesDukpt.deriveWorkingKey({
      bdk: extraBdk,
      ksn: hexToBytes(v.ksn),
      usage: 'data-request',
    });
    const clear = tdesDecryptCbc(key, hexToBytes(v.ciphertext!));
    const text = v.expected_plaintext_ascii_prefix!;
    expect(clear.subarray(0, text.length).toString('latin1')).toBe(text);
    expect(clear.subarray(text.length).every((b) => b === 0)).toBe(true);
  });
});

describe('TDES DUKPT input validation', () => {
  const ksn = hexToBytes('FFFF9876543210E00001');

  it.each([
    ['an 8-byte BDK', () => tdesDukpt.deriveIpek(Buffer.alloc(8), ksn)],
    ['a 24-byte BDK', () => tdesDukpt.deriveIpek(Buffer.alloc(24), ksn)],
    ['a 24-byte IPEK', () => tdesDukpt.deriveTransactionKey(Buffer.alloc(24), ksn)],
    ['a 15-byte transaction key', () => tdesDukpt.workingKey(Buffer.alloc(15), 'pin')],
  ])('rejects %s with INVALID_KEY_LENGTH', (_, call) => {
    expect(call).toThrow(expect.objectContaining({ code: 'INVALID_KEY_LENGTH' }));
  });

  it('rejects an AES-sized KSN', () => {
    expect(() => tdesDukpt.deriveIpek(bdk, Buffer.alloc(12))).toThrow(
      expect.objectContaining({ code: 'INVALID_KSN' }),
    );
  });

  it.each([
    ['counter 0', 'FFFF9876543210E00000'],
    ['11 one bits', 'FFFF9876543210E007FF'],
    ['all 21 bits set', 'FFFF9876543210FFFFFF'],
  ])('refuses a transaction key for %s', (_, hex) => {
    expect(() => tdesDukpt.deriveTransactionKey(ipek, hexToBytes(hex))).toThrow(
      expect.objectContaining({ code: 'INVALID_KSN_COUNTER' }),
    );
  });

  it('rejects an unknown usage', () => {
    expect(() => tdesDukpt.workingKey(ipek, 'kek' as TdesDukptUsage)).toThrow(
      expect.objectContaining({ code: 'INVALID_KEY_USAGE' }),
    );
  });
});

describe('TDES DUKPT transaction key path (resuming a derivation)', () => {
  /** `counter` with its lowest one bits cleared one at a time: the keys on its path, longest first. */
  const prefixesOf = (counter: number) => {
    const out = [counter];
    for (let p = counter; p > 0;) out.push((p &= p - 1));
    return out;
  };

  it.each(annexCases)(
    'reaches the A.4 transaction key of %s from every key on its path',
    (_, v) => {
      const ksn = hexToBytes(v.ksn);
      const path = tdesDukpt.transactionKeyPath({ key: ipek, counter: 0 }, ksn);
      const counter = ksn.readUIntBE(7, 3) & 0x1fffff;
      expect(path.map((step) => step.counter)).toEqual(prefixesOf(counter).slice(0, -1).reverse());
      expect(bytesToHex(path.at(-1)!.key)).toBe(v.expected.transaction_key_base);
      for (const step of path) {
        const rest = tdesDukpt.transactionKeyPath(step, ksn);
        expect(bytesToHex(rest.at(-1)?.key ?? step.key)).toBe(v.expected.transaction_key_base);
      }
    },
  );

  it('refuses to resume from a counter that is not on the path', () => {
    const ksn = hexToBytes('FFFF9876543210E0000B'); // counter 1011
    const from = (counter: number) => () =>
      tdesDukpt.transactionKeyPath({ key: ipek, counter }, ksn);
    expect(from(0b1000)).not.toThrow();
    expect(from(0b1010)).not.toThrow();
    for (const counter of [0b0011, 0b1001, 0b1100, 0b10000]) {
      expect(from(counter)).toThrow(expect.objectContaining({ code: 'INVALID_KSN_COUNTER' }));
    }
  });
});
