import { hasOddParity } from '../primitives';
import { Pan } from '../secret/pan';
import { deriveIccMasterKey } from './icc-master-key';
import { deriveCommonSessionKey, deriveEmv2000TreeSessionKey } from './session-key';
import { deriveVisaSecureMessagingSessionKey } from './secure-messaging';
import shared from './test-data/emv_arqc.json';
import published from './test-data/emv-published.json';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const toHex = (b: Buffer): string => b.toString('hex').toUpperCase();
const imk = hex('0123456789ABCDEFFEDCBA9876543210');

describe('deriveIccMasterKey (EMV Book 2 A1.4)', () => {
  const masterKeyVectors = published.key_vectors.filter((v) =>
    v.operation.startsWith('ICC master key'),
  );

  it.each(masterKeyVectors)('$operation for PAN $pan PSN $psn ($source)', (v) => {
    const option = v.operation.endsWith('B') ? 'B' : 'A';
    expect(
      toHex(deriveIccMasterKey(hex(v.issuer_master_key!), { pan: v.pan!, psn: v.psn! }, option)),
    ).toBe(v.expected_key);
  });

  it('option B equals option A for PANs of 16 digits or fewer', () => {
    for (const pan of ['1234567890123456', '476173900101001', '4761739001010010']) {
      expect(
        deriveIccMasterKey(imk, { pan }, 'B').equals(deriveIccMasterKey(imk, { pan }, 'A')),
      ).toBe(true);
    }
  });

  it('option B differs from option A for longer PANs', () => {
    const card = { pan: '12345678901234567', psn: '01' };
    expect(deriveIccMasterKey(imk, card, 'B').equals(deriveIccMasterKey(imk, card, 'A'))).toBe(
      false,
    );
  });

  it('treats a missing PSN as 00 and accepts a Pan', () => {
    const digits = '4761739001010010';
    const withoutPsn = deriveIccMasterKey(imk, { pan: digits }, 'A');
    expect(deriveIccMasterKey(imk, { pan: digits, psn: '00' }, 'A').equals(withoutPsn)).toBe(true);
    expect(deriveIccMasterKey(imk, { pan: Pan.parse(digits) }, 'A').equals(withoutPsn)).toBe(true);
  });

  it('produces odd-parity keys', () => {
    expect(hasOddParity(deriveIccMasterKey(imk, { pan: '12345678901234567' }, 'B'))).toBe(true);
  });

  it.each([
    [{ pan: '' }, 'pan'],
    [{ pan: '12345678901234567890' }, 'pan'],
    [{ pan: '4761 7390' }, 'pan'],
    [{ pan: '4761739001010010', psn: '1' }, 'psn'],
    [{ pan: '4761739001010010', psn: 'AB' }, 'psn'],
  ])('refuses %o', (card, field) => {
    expect(() => deriveIccMasterKey(imk, card, 'A')).toThrow(
      expect.objectContaining({ code: 'EMV_INVALID_DATA', field }),
    );
  });

  it('refuses an issuer master key that is not 2-key TDES', () => {
    expect(() => deriveIccMasterKey(Buffer.alloc(24), { pan: '4761739001010010' }, 'A')).toThrow(
      expect.objectContaining({ code: 'EMV_INVALID_DATA', field: 'issuerMasterKey' }),
    );
  });
});

describe('session keys', () => {
  it('common session key (Book 2 A1.3.1), published example', () => {
    const v = published.key_vectors.find((k) => k.operation === 'common session key')!;
    expect(toHex(deriveCommonSessionKey(hex(v.icc_master_key!), hex(v.R!)))).toBe(v.expected_key);
  });

  it.each(shared.emv2000_tree_session_keys)(
    'EMV2000 tree, ATC $atc, height $height, branch factor $branch_factor',
    (v) => {
      const key = deriveEmv2000TreeSessionKey(hex(v.icc_master_key), hex(v.atc), {
        height: v.height,
        branchFactor: v.branch_factor,
        iv: hex(v.iv),
      });
      expect(toHex(key)).toBe(v.expected_session_key);
    },
  );

  it('refuses a tree too small to index every ATC', () => {
    expect(() =>
      deriveEmv2000TreeSessionKey(imk, hex('0001'), {
        height: 4,
        branchFactor: 4,
        iv: Buffer.alloc(16),
      }),
    ).toThrow(RangeError);
  });

  it('Visa secure messaging session key, published example', () => {
    const v = published.key_vectors.find(
      (k) => k.operation === 'Visa secure messaging session key',
    )!;
    expect(toHex(deriveVisaSecureMessagingSessionKey(hex(v.icc_master_key!), hex(v.atc!)))).toBe(
      v.expected_key,
    );
  });

  it.each([
    [() => deriveCommonSessionKey(imk, Buffer.alloc(7)), 'diversifier'],
    [() => deriveCommonSessionKey(Buffer.alloc(8), Buffer.alloc(8)), 'iccMasterKey'],
    [() => deriveVisaSecureMessagingSessionKey(imk, Buffer.alloc(3)), '9F36'],
  ])('refuses bad lengths (%#)', (run, field) => {
    expect(run).toThrow(expect.objectContaining({ code: 'EMV_INVALID_DATA', field }));
  });
});
