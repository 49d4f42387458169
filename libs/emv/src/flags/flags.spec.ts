import { fromHex, toHex } from '../shared/bytes';
import cvmVectors from '../test-data/cvm-list.json';
import { decodeCid, decodeCvmList, decodeCvmResults } from './cvm.decoder';
import {
  AIP,
  TSI,
  TVR,
  decodeAip,
  decodeTsi,
  decodeTvr,
  encodeTsi,
  encodeTvr,
} from './terminal-status.flags';

describe('Terminal Verification Results (Book 3 Annex C5)', () => {
  it('decodes every byte and bit position', () => {
    expect(TVR.setFlags(fromHex('8000000000'))).toEqual(['offlineDataAuthenticationNotPerformed']);
    expect(TVR.setFlags(fromHex('0040000000'))).toEqual(['expiredApplication']);
    expect(TVR.setFlags(fromHex('0000040000'))).toEqual(['onlinePinEntered']);
    expect(TVR.setFlags(fromHex('0000008000'))).toEqual(['floorLimitExceeded']);
    expect(TVR.setFlags(fromHex('0000000040'))).toEqual(['issuerAuthenticationFailed']);
  });

  it('decodes a typical online-PIN, over-floor-limit TVR', () => {
    const flags = decodeTvr(fromHex('4200048000'));
    expect(flags.sdaFailed).toBe(true);
    expect(flags.sdaSelected).toBe(true);
    expect(flags.onlinePinEntered).toBe(true);
    expect(flags.floorLimitExceeded).toBe(true);
    expect(Object.values(flags).filter(Boolean)).toHaveLength(4);
  });

  it('encodes flags given by name or as a record, and round-trips', () => {
    const bytes = encodeTvr([
      'cdaFailed',
      'newCard',
      'unrecognisedCvm',
      'merchantForcedOnline',
      'defaultTdolUsed',
    ]);
    expect(toHex(bytes)).toBe('0408400880');
    expect(toHex(encodeTvr({ cdaFailed: true, newCard: false }))).toBe('0400000000');
    expect(TVR.setFlags(bytes)).toEqual([
      'cdaFailed',
      'newCard',
      'unrecognisedCvm',
      'merchantForcedOnline',
      'defaultTdolUsed',
    ]);
  });

  it('reports set RFU bits instead of dropping them silently', () => {
    expect(TVR.rfuBits(fromHex('0100000001'))).toEqual([
      { byte: 1, bit: 1 },
      { byte: 5, bit: 1 },
    ]);
  });

  it('refuses a TVR that is not 5 bytes', () => {
    expect(() => decodeTvr(fromHex('00000000'))).toThrow(
      expect.objectContaining({ code: 'INVALID_LENGTH', tag: '95' }),
    );
  });

  it('refuses to encode an unknown flag name', () => {
    expect(() => TVR.encode(['notAFlag' as never])).toThrow(
      expect.objectContaining({ code: 'INVALID_VALUE' }),
    );
  });
});

describe('Transaction Status Information (Book 3 Annex C6)', () => {
  it('decodes and encodes', () => {
    expect(TSI.setFlags(fromHex('E800'))).toEqual([
      'offlineDataAuthenticationPerformed',
      'cardholderVerificationPerformed',
      'cardRiskManagementPerformed',
      'terminalRiskManagementPerformed',
    ]);
    expect(decodeTsi(fromHex('0400')).scriptProcessingPerformed).toBe(true);
    expect(toHex(encodeTsi(['issuerAuthenticationPerformed']))).toBe('1000');
    expect(TSI.rfuBits(fromHex('0001'))).toEqual([{ byte: 2, bit: 1 }]);
  });
});

describe('Application Interchange Profile (Book 3 Annex C1)', () => {
  it('decodes the AIP 5900 of the shared READ RECORD vector (SDA, CVM, TRM, CDA)', () => {
    expect(AIP.setFlags(fromHex('5900'))).toEqual([
      'sdaSupported',
      'cardholderVerificationSupported',
      'terminalRiskManagementToBePerformed',
      'cdaSupported',
    ]);
    expect(decodeAip(fromHex('7800')).ddaSupported).toBe(true);
  });
});

describe('CVM List (Book 3 §10.5, Annex C3)', () => {
  it.each(cvmVectors.valid.map((v) => [v.name, v] as const))('decodes %s', (_name, vector) => {
    const list = decodeCvmList(fromHex(vector.cvm_list_hex));
    expect(list.amountX).toBe(vector.amount_x);
    expect(list.amountY).toBe(vector.amount_y);
    expect(
      list.rules.map((r) => ({
        method: r.method,
        apply_next: r.applyNextIfUnsuccessful,
        condition: r.condition,
      })),
    ).toEqual(vector.rules);
  });

  it.each(cvmVectors.invalid.map((v) => [v.name, v] as const))('refuses %s', (_name, vector) => {
    expect(() => decodeCvmList(fromHex(vector.cvm_list_hex))).toThrow(
      expect.objectContaining({ code: 'INVALID_LENGTH', tag: '8E' }),
    );
  });

  it('names reserved method and condition ranges', () => {
    const { rules } = decodeCvmList(fromHex('0000000000000000' + '2009' + '3080' + '060A'));
    expect(rules.map((r) => [r.method, r.condition])).toEqual([
      ['paymentSystemSpecific', 'applicationCurrencyOverY'],
      ['issuerSpecific', 'paymentSystemSpecific'],
      ['rfu', 'rfu'],
    ]);
  });
});

describe('CVM Results (Book 3 Annex A, 9F34)', () => {
  it('decodes online PIN performed, condition "if terminal supports", result unknown', () => {
    expect(decodeCvmResults(fromHex('420300'))).toMatchObject({
      method: 'encipheredPinOnline',
      applyNextIfUnsuccessful: true,
      condition: 'terminalSupportsCvm',
      result: 'unknown',
    });
  });

  it('decodes "no CVM performed" and a successful signature', () => {
    expect(decodeCvmResults(fromHex('3F0000'))).toMatchObject({
      method: 'noCvmPerformed',
      result: 'unknown',
    });
    expect(decodeCvmResults(fromHex('1E0302'))).toMatchObject({
      method: 'signature',
      result: 'successful',
    });
    expect(decodeCvmResults(fromHex('010001')).result).toBe('failed');
  });

  it('refuses a value that is not 3 bytes', () => {
    expect(() => decodeCvmResults(fromHex('4203'))).toThrow(
      expect.objectContaining({ tag: '9F34' }),
    );
  });
});

describe('Cryptogram Information Data (Book 3 §6.5.5.4)', () => {
  it('decodes the shared vector 9F27=01 as the source does: AAC, no advice, service not allowed', () => {
    expect(decodeCid(fromHex('01'))).toEqual({
      cryptogramType: 'AAC',
      paymentSystemBits: 0,
      adviceRequired: false,
      reason: 'serviceNotAllowed',
    });
  });

  it.each([
    ['40', 'TC'],
    ['80', 'ARQC'],
    ['C0', 'RFU'],
  ])('decodes %s as %s', (hex, type) => {
    expect(decodeCid(fromHex(hex)).cryptogramType).toBe(type);
  });

  it('decodes the advice bit and the RFU reason codes', () => {
    expect(decodeCid(fromHex('0B'))).toMatchObject({
      adviceRequired: true,
      reason: 'issuerAuthenticationFailed',
    });
    expect(decodeCid(fromHex('07')).reason).toBe('rfu');
  });
});
