import {
  parseIssuerApplicationData,
  parseMastercardIssuerApplicationData,
  parseVisaIssuerApplicationData,
} from './issuer-application-data';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const toHex = (b: Buffer): string => b.toString('hex').toUpperCase();

describe('Visa issuer application data (VIS 1.6 Appendix F)', () => {
  it('reads format 0 (CVN 18 example from pyemv test_cvn_hsm.py)', () => {
    const iad = parseVisaIssuerApplicationData(hex('06011203A0B800'));
    expect(iad).toMatchObject({
      scheme: 'visa',
      format: '0/1/3',
      derivationKeyIndex: 1,
      cryptogramVersionNumber: 0x12,
    });
    expect(toHex(iad.cardVerificationResults)).toBe('03A0B800');
    expect(iad.issuerDiscretionaryData).toHaveLength(0);
  });

  it('reads format 1 with issuer discretionary data', () => {
    const iad = parseVisaIssuerApplicationData(hex('06010A03A000000F' + '00'.repeat(15)));
    expect(iad.cryptogramVersionNumber).toBe(0x0a);
    expect(toHex(iad.issuerDiscretionaryData)).toBe('0F' + '00'.repeat(15));
  });

  it('reads format 2 (32 bytes, CVN 22): CVN before DKI, 5-byte CVR', () => {
    const iad = parseVisaIssuerApplicationData(hex('1F2201' + '0102030405' + 'AA'.repeat(24)));
    expect(iad).toMatchObject({
      format: '2/4',
      cryptogramVersionNumber: 0x22,
      derivationKeyIndex: 1,
    });
    expect(toHex(iad.cardVerificationResults)).toBe('0102030405');
    expect(iad.issuerDiscretionaryData).toHaveLength(24);
  });

  it.each(['', '06010A03', '07010A03A06010', '1F2201' + '00'.repeat(20)])('refuses %s', (text) => {
    expect(() => parseVisaIssuerApplicationData(hex(text))).toThrow(
      expect.objectContaining({ code: 'EMV_INVALID_IAD', field: '9F10' }),
    );
  });
});

describe('Mastercard issuer application data (M/Chip 4 / Advance)', () => {
  it('reads DKI, CVN, CVR, DAC and counters', () => {
    const iad = parseMastercardIssuerApplicationData(
      hex('0110A00003240000' + 'BEEF' + '00000000000000FF'),
    );
    expect(iad).toMatchObject({
      scheme: 'mastercard',
      derivationKeyIndex: 1,
      cryptogramVersionNumber: 0x10,
    });
    expect(toHex(iad.cardVerificationResults)).toBe('A00003240000');
    expect(toHex(iad.dataAuthenticationCode)).toBe('BEEF');
    expect(toHex(iad.counters!)).toBe('00000000000000FF');
    expect(iad.additionalData).toHaveLength(0);
  });

  it('keeps bytes after the counters (M/Chip Advance) and allows IAD without counters', () => {
    expect(
      parseMastercardIssuerApplicationData(hex('0114A00003240000BEEF' + '00'.repeat(8) + '001C'))
        .additionalData,
    ).toEqual(hex('001C'));
    expect(
      parseMastercardIssuerApplicationData(hex('0114A00003240000BEEF')).counters,
    ).toBeUndefined();
  });

  it.each(['0110A000032400', '0110A00003240000BEEF0000'])('refuses %s', (text) => {
    expect(() => parseMastercardIssuerApplicationData(hex(text))).toThrow(
      expect.objectContaining({ code: 'EMV_INVALID_IAD' }),
    );
  });

  it('dispatches by scheme', () => {
    expect(parseIssuerApplicationData('mastercard', hex('0110A00003240000BEEF')).scheme).toBe(
      'mastercard',
    );
    expect(parseIssuerApplicationData('visa', hex('06010A03A06010')).scheme).toBe('visa');
  });
});
