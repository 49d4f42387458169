import { kcv } from '../primitives';
import {
  buildAcInput,
  CRYPTOGRAM_VERSIONS,
  cryptogramVersionFor,
  cryptogramVersionOf,
  CryptogramVersion,
  deriveAcKeys,
  generateArpc,
  generateArqc,
  TransactionData,
  verifyArqc,
} from './cryptogram-version';
import { deriveIccMasterKey } from './icc-master-key';
import { deriveCommonSessionKey } from './session-key';
import { deriveVisaSecureMessagingSessionKey, generateIssuerScriptMac } from './secure-messaging';
import shared from './test-data/emv_arqc.json';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const toHex = (b: Buffer): string => b.toString('hex').toUpperCase();
const kcv2 = (key: Buffer): string => toHex(kcv(key, 'tdes', 2));

type CvnVector = (typeof shared.cvn_vectors)[number];

const PROFILE_BY_NAME: Record<string, CryptogramVersion> = {
  'Visa CVN 10': CRYPTOGRAM_VERSIONS.visaCvn10,
  'Visa CVN 22': CRYPTOGRAM_VERSIONS.visaCvn22,
  'Mastercard CVN 16': CRYPTOGRAM_VERSIONS.mastercardCvn16,
  'Mastercard CVN 20': CRYPTOGRAM_VERSIONS.mastercardCvn20,
};

/**
 * The vectors give CVR on its own where the CVN takes it from 9F10; wrap it
 * in the scheme's IAD layout (Visa format 0: 06 DKI CVN CVR; M/Chip: DKI CVN
 * CVR DAC counters) so the profile reads it back from there.
 */
function transactionOf(v: CvnVector, version: CryptogramVersion): TransactionData {
  const i = v.inputs as unknown as Record<string, string | undefined>;
  const iad =
    i['9F10'] ??
    (version.scheme === 'visa'
      ? '0601' + version.cvn.toString(16).padStart(2, '0') + i.CVR
      : '01' + version.cvn.toString(16).padStart(2, '0') + i.CVR + '0000' + '0000000000000000');
  return {
    '9F02': hex(i['9F02']!),
    '9F03': hex(i['9F03']!),
    '9F1A': hex(i['9F1A']!),
    '95': hex(i['95']!),
    '5F2A': hex(i['5F2A']!),
    '9A': hex(i['9A']!),
    '9C': hex(i['9C']!),
    '9F37': hex(i['9F37']!),
    '82': hex(i['82']!),
    '9F36': hex(i['9F36']!),
    '9F10': hex(iad),
  };
}

describe('scheme cryptogram versions: published CVN examples (pyemv HSM-checked)', () => {
  describe.each(shared.cvn_vectors)('$name', (v) => {
    const version = PROFILE_BY_NAME[v.name]!;
    const keys = {
      issuerMasterKey: hex(v.inputs.issuer_master_keys.AC),
      card: { pan: v.inputs.pan, psn: v.inputs.psn },
    };
    const transaction = transactionOf(v, version);
    const arqc = hex(v.expected.arqc);

    it('concatenates the AC input in the CVN order', () => {
      expect(toHex(buildAcInput(version, transaction))).toBe(
        v['ac_input_data (concatenation order used)'],
      );
    });

    it('derives the ICC master key and AC session key', () => {
      const { iccMasterKey, sessionKey } = deriveAcKeys(version, keys, transaction);
      expect(kcv2(iccMasterKey)).toBe(v.expected.icc_mk_ac_kcv);
      expect(toHex(iccMasterKey)).toBe(v.derived_not_in_source.icc_mk_ac);
      expect(kcv2(sessionKey)).toBe(v.expected.ac_session_key_kcv);
      expect(toHex(sessionKey)).toBe(v.derived_not_in_source.ac_session_key);
    });

    it('generates and verifies the ARQC', () => {
      expect(toHex(generateArqc(version, keys, transaction))).toBe(v.expected.arqc);
      expect(verifyArqc(version, keys, transaction, arqc)).toBe(true);
    });

    it('generates the ARPC', () => {
      const a = v.expected.arpc as {
        method: number;
        arc?: string;
        csu?: string;
        expected_arpc: string;
      };
      expect(version.arpc.method).toBe(a.method);
      const response = a.method === 1 ? { arc: hex(a.arc!) } : { csu: hex(a.csu!) };
      expect(toHex(generateArpc(version, keys, transaction, arqc, response))).toBe(a.expected_arpc);
    });

    it('refuses the ARQC when a covered element changes', () => {
      for (const tag of [
        '9F02',
        '9F03',
        '9F1A',
        '95',
        '5F2A',
        '9A',
        '9C',
        '9F37',
        '82',
        '9F36',
        '9F10',
      ] as const) {
        const changed = { ...transaction, [tag]: Buffer.from(transaction[tag]) };
        // Byte 3 of 9F10 lies inside the CVR for every layout (all CVNs here cover the CVR).
        changed[tag][tag === '9F10' ? 3 : changed[tag].length - 1]! ^= 0x01;
        expect(verifyArqc(version, keys, changed, arqc)).toBe(false);
      }
    });

    it('refuses the ARQC under another card', () => {
      expect(
        verifyArqc(version, { ...keys, card: { pan: v.inputs.pan, psn: '01' } }, transaction, arqc),
      ).toBe(false);
    });

    it('computes the issuer script command MAC', () => {
      const sm = v.expected.issuer_script_command_mac;
      const iccMkSmi = deriveIccMasterKey(
        hex(v.inputs.issuer_master_keys.SMI),
        keys.card,
        version.masterKeyDerivation,
      );
      expect(kcv2(iccMkSmi)).toBe(v.expected.icc_mk_smi_kcv);
      const smKey =
        version.name === 'Visa CVN 10'
          ? deriveVisaSecureMessagingSessionKey(iccMkSmi, transaction['9F36'])
          : deriveCommonSessionKey(iccMkSmi, arqc);
      expect(kcv2(smKey)).toBe(sm.sm_session_key_kcv);
      const macInput = Buffer.concat([hex(sm.command_header), transaction['9F36'], arqc]);
      expect(toHex(generateIssuerScriptMac(smKey, macInput))).toBe(sm.expected_mac);
    });
  });

  it('Visa secure messaging example (VIS key, command MAC)', () => {
    const v = shared.visa_sm_vector;
    const iccMk = deriveIccMasterKey(hex(v.inputs.issuer_master_key), { pan: v.inputs.pan }, 'B');
    expect(kcv2(iccMk)).toBe(v.expected.icc_mk_kcv);
    const smKey = deriveVisaSecureMessagingSessionKey(iccMk, hex(v.inputs.atc));
    expect(kcv2(smKey)).toBe(v.expected.sm_session_key_kcv);
    expect(toHex(generateIssuerScriptMac(smKey, hex(v.inputs.mac_input)))).toBe(
      v.expected.command_mac,
    );
  });
});

describe('cryptogram version profiles', () => {
  it('find the profile from the CVN byte in 9F10', () => {
    expect(cryptogramVersionOf('visa', hex('06010A03A06010'))).toBe(CRYPTOGRAM_VERSIONS.visaCvn10);
    expect(cryptogramVersionOf('visa', hex('06011203A0B800'))).toBe(CRYPTOGRAM_VERSIONS.visaCvn18);
    expect(cryptogramVersionOf('visa', Buffer.concat([hex('1F2201'), Buffer.alloc(29)]))).toBe(
      CRYPTOGRAM_VERSIONS.visaCvn22,
    );
    expect(cryptogramVersionOf('mastercard', hex('0110A00003220000000000000000000000FF'))).toBe(
      CRYPTOGRAM_VERSIONS.mastercardCvn16,
    );
    expect(cryptogramVersionFor('mastercard', 0x15)).toBe(CRYPTOGRAM_VERSIONS.mastercardCvn21);
  });

  it('follow the M/Chip CVN bits: b3 selects EMV CSK, b1 puts the counters in the AC', () => {
    for (const version of Object.values(CRYPTOGRAM_VERSIONS).filter(
      (v) => v.scheme === 'mastercard',
    )) {
      expect(version.sessionKey).toBe(version.cvn & 0x04 ? 'common' : 'mastercard');
      expect(version.acData.includes('COUNTERS')).toBe((version.cvn & 0x01) === 1);
    }
  });

  it('refuses unknown CVNs', () => {
    expect(() => cryptogramVersionFor('visa', 0x43)).toThrow(
      expect.objectContaining({ code: 'EMV_UNSUPPORTED_CVN', field: '9F10' }),
    );
    expect(() =>
      cryptogramVersionOf('mastercard', hex('0199A00003220000000000000000000000FF')),
    ).toThrow(expect.objectContaining({ code: 'EMV_UNSUPPORTED_CVN' }));
  });

  describe('counters (CVN 17 and 21)', () => {
    const base = transactionOf(shared.cvn_vectors[2]!, CRYPTOGRAM_VERSIONS.mastercardCvn17);
    const withCounters = { ...base, '9F10': hex('0111A000032200000000' + '0102030405060708') };

    it('append the eight counter bytes after the CVR', () => {
      const input = buildAcInput(CRYPTOGRAM_VERSIONS.mastercardCvn17, withCounters);
      expect(toHex(input.subarray(-14))).toBe('A00003220000' + '0102030405060708');
    });

    it('make the ARQC depend on the counters', () => {
      const keys = {
        issuerMasterKey: hex('0123456789ABCDEFFEDCBA9876543210'),
        card: { pan: '1234567890123456' },
      };
      const arqc = generateArqc(CRYPTOGRAM_VERSIONS.mastercardCvn21, keys, withCounters);
      const otherCounters = {
        ...withCounters,
        '9F10': hex('0115A000032200000000' + '0102030405060709'),
      };
      expect(verifyArqc(CRYPTOGRAM_VERSIONS.mastercardCvn21, keys, withCounters, arqc)).toBe(true);
      expect(verifyArqc(CRYPTOGRAM_VERSIONS.mastercardCvn21, keys, otherCounters, arqc)).toBe(
        false,
      );
    });

    it('are required when the CVN includes them', () => {
      const noCounters = { ...base, '9F10': hex('0111A000032200000000') };
      expect(() => buildAcInput(CRYPTOGRAM_VERSIONS.mastercardCvn17, noCounters)).toThrow(
        expect.objectContaining({ code: 'EMV_INVALID_IAD', field: '9F10' }),
      );
    });
  });
});

describe('transaction data validation', () => {
  const v = shared.cvn_vectors[1]!;
  const transaction = transactionOf(v, CRYPTOGRAM_VERSIONS.visaCvn22);
  const keys = {
    issuerMasterKey: hex(v.inputs.issuer_master_keys.AC),
    card: { pan: v.inputs.pan },
  };

  it.each(['9F02', '9F03', '9F1A', '95', '5F2A', '9A', '9C', '9F37', '82', '9F36'] as const)(
    'names %s when its length is wrong',
    (tag) => {
      const bad = { ...transaction, [tag]: Buffer.concat([transaction[tag], hex('00')]) };
      expect(() => generateArqc(CRYPTOGRAM_VERSIONS.visaCvn22, keys, bad)).toThrow(
        expect.objectContaining({ code: 'EMV_INVALID_DATA', field: tag }),
      );
    },
  );

  it('refuses empty or oversized issuer application data', () => {
    for (const iad of [Buffer.alloc(0), Buffer.alloc(33, 6)]) {
      expect(() =>
        generateArqc(CRYPTOGRAM_VERSIONS.visaCvn22, keys, { ...transaction, '9F10': iad }),
      ).toThrow(expect.objectContaining({ code: 'EMV_INVALID_DATA', field: '9F10' }));
    }
  });

  it('refuses an ARPC response that does not fit the CVN method', () => {
    const arqc = hex(v.expected.arqc);
    expect(() =>
      generateArpc(CRYPTOGRAM_VERSIONS.visaCvn22, keys, transaction, arqc, { arc: hex('3030') }),
    ).toThrow(expect.objectContaining({ code: 'EMV_INVALID_DATA', field: 'csu' }));
    expect(() =>
      generateArpc(CRYPTOGRAM_VERSIONS.visaCvn10, keys, transaction, arqc, {
        csu: hex('00000000'),
      }),
    ).toThrow(expect.objectContaining({ code: 'EMV_INVALID_DATA', field: 'arc' }));
  });
});
