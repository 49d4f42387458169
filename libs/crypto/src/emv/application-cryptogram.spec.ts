import { kcv } from '../primitives';
import {
  generateApplicationCryptogram,
  generateArpcMethod1,
  generateArpcMethod2,
  verifyApplicationCryptogram,
} from './application-cryptogram';
import { EmvError } from './emv-error';
import { deriveIccMasterKey, MasterKeyDerivationOption } from './icc-master-key';
import { deriveCommonSessionKey } from './session-key';
import shared from './test-data/emv_arqc.json';
import published from './test-data/emv-published.json';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const toHex = (b: Buffer): string => b.toString('hex').toUpperCase();
const kcv2 = (key: Buffer): string => toHex(kcv(key, 'tdes', 2));

describe('application cryptograms: EMV Book 2 A1.2 / §8 known answers (pyemv HSM-checked vectors)', () => {
  it.each(shared.basic_vectors)('$name', (v) => {
    const imk = hex(v.inputs.issuer_master_key);
    expect(kcv2(imk)).toBe(v.expected.imk_kcv);
    const option = v.inputs.master_key_derivation.endsWith('B') ? 'B' : 'A';
    const iccMk = deriveIccMasterKey(
      imk,
      { pan: v.inputs.pan, ...(v.inputs.psn ? { psn: v.inputs.psn } : {}) },
      option,
    );
    expect(toHex(iccMk)).toBe(v.derived_not_in_source['icc_master_key (odd parity)']);
    if (v.expected.icc_mk_kcv) expect(kcv2(iccMk)).toBe(v.expected.icc_mk_kcv);

    const sessionKey = deriveCommonSessionKey(iccMk, hex(v.inputs['R (diversification value)']));
    expect(toHex(sessionKey)).toBe(v.derived_not_in_source['session_key (odd parity)']);
    expect(kcv2(sessionKey)).toBe(v.expected.session_key_kcv);

    const padding = v.inputs.ac_padding.includes('method 1') ? 1 : 2;
    const data = hex(v.inputs.ac_input_data);
    const arqc = generateApplicationCryptogram(sessionKey, data, padding);
    expect(toHex(arqc)).toBe(v.expected.arqc);
    expect(verifyApplicationCryptogram(sessionKey, data, arqc, padding)).toBe(true);

    const arpc =
      v.arpc.method === 1
        ? generateArpcMethod1(iccMk, arqc, hex(v.arpc.arc!))
        : generateArpcMethod2(sessionKey, arqc, hex(v.arpc.csu!));
    expect(toHex(arpc)).toBe(v.arpc.expected_arpc);
  });

  it.each(published.cryptogram_vectors)('$name', (v) => {
    const iccMk = deriveIccMasterKey(
      hex('0123456789ABCDEFFEDCBA9876543210'),
      { pan: v.pan, psn: v.psn },
      v.option as MasterKeyDerivationOption,
    );
    expect(kcv2(iccMk)).toBe(v.expected.icc_mk_kcv);
    const sessionKey = deriveCommonSessionKey(iccMk, hex(v.R));
    expect(kcv2(sessionKey)).toBe(v.expected.session_key_kcv);
    const arqc = generateApplicationCryptogram(sessionKey, hex(v.ac_input), v.ac_padding as 1 | 2);
    expect(toHex(arqc)).toBe(v.expected.arqc);

    const e: Partial<Record<string, string>> = v.expected;
    const zeroArc = hex('0000');
    const zeroCsu = hex('00000000');
    if (e.arpc_method_1_icc_mk_arc_0000)
      expect(toHex(generateArpcMethod1(iccMk, arqc, zeroArc))).toBe(
        e.arpc_method_1_icc_mk_arc_0000,
      );
    if (e.arpc_method_1_session_key_arc_0000) {
      expect(toHex(generateArpcMethod1(sessionKey, arqc, zeroArc))).toBe(
        e.arpc_method_1_session_key_arc_0000,
      );
    }
    if (e.arpc_method_2_csu_00000000)
      expect(toHex(generateArpcMethod2(sessionKey, arqc, zeroCsu))).toBe(
        e.arpc_method_2_csu_00000000,
      );
    if (e.arpc_method_2_csu_00000000_pad_12345678) {
      expect(toHex(generateArpcMethod2(sessionKey, arqc, zeroCsu, hex('12345678')))).toBe(
        e.arpc_method_2_csu_00000000_pad_12345678,
      );
    }
    if (e.arpc_method_2_csu_00000000_pad_1234567890ABCDEF) {
      expect(toHex(generateArpcMethod2(sessionKey, arqc, zeroCsu, hex('1234567890ABCDEF')))).toBe(
        e.arpc_method_2_csu_00000000_pad_1234567890ABCDEF,
      );
    }
  });
});

describe('verifyApplicationCryptogram', () => {
  const sessionKey = hex('3E736BF8D37664348A04E3ABE00DEFC1');
  const data = hex('0123456789ABCDEF0123456789ABCDEF');
  const arqc = hex('4B46013359B7A58B');

  it('refuses a cryptogram with any bit changed', () => {
    for (let bit = 0; bit < 64; bit++) {
      const tampered = Buffer.from(arqc);
      tampered[bit >> 3]! ^= 0x80 >> (bit & 7);
      expect(verifyApplicationCryptogram(sessionKey, data, tampered)).toBe(false);
    }
  });

  it('refuses changed transaction data and the other padding method', () => {
    const changed = Buffer.from(data);
    changed[15]! ^= 0x01;
    expect(verifyApplicationCryptogram(sessionKey, changed, arqc)).toBe(false);
    expect(verifyApplicationCryptogram(sessionKey, data, arqc, 1)).toBe(false);
  });

  it.each([
    [
      'a short cryptogram',
      () => verifyApplicationCryptogram(sessionKey, data, arqc.subarray(0, 4)),
      '9F26',
    ],
    [
      'a single-length key',
      () => generateApplicationCryptogram(sessionKey.subarray(0, 8), data),
      'sessionKey',
    ],
    ['padding method 3', () => generateApplicationCryptogram(sessionKey, data, 3 as 1), 'padding'],
    ['a 3-byte ARC', () => generateArpcMethod1(sessionKey, arqc, hex('000000')), 'arc'],
    ['a 2-byte CSU', () => generateArpcMethod2(sessionKey, arqc, hex('0000')), 'csu'],
    [
      '9 bytes of proprietary data',
      () => generateArpcMethod2(sessionKey, arqc, hex('00000000'), Buffer.alloc(9)),
      'proprietaryAuthenticationData',
    ],
  ])('refuses %s', (_what, run, field) => {
    expect(run).toThrow(EmvError);
    expect(run).toThrow(expect.objectContaining({ code: 'EMV_INVALID_DATA', field }));
  });
});
