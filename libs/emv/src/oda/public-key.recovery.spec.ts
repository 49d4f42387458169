import { constants, createHash, createPublicKey, publicDecrypt } from 'node:crypto';
import { concatBytes, filledBytes, fromHex, toHex } from '../shared/bytes';
import {
  mastercardSample as mastercard,
  visaSample as visa,
  type OdaVector,
} from '../test-data/oda-vectors';
import { generateTestCa } from '../card-profile/card-profile.generator';
import {
  issueIccPublicKeyCertificate,
  issueIssuerPublicKeyCertificate,
} from '../card-profile/emv.signer';
import { seededRandom } from '../card-profile/random.source';
import { deterministicRsaKeyFactory } from '../card-profile/rsa-key.factory';
import { caPublicKeyChecksum, isCaPublicKeyChecksumValid } from './ca-public-key';
import { OdaError } from './oda.error';
import { calendarDateFromYymmdd, type CaPublicKey } from './oda.types';
import {
  recoverIccPublicKeyCertificate,
  recoverIssuerPublicKeyCertificate,
  retrieveIccPublicKey,
  retrieveIssuerPublicKey,
  type IssuerPublicKeyInput,
} from './public-key.recovery';
import { rsaRecover, rsaSign, type RsaPrivateKey } from './rsa';

function caKeyOf(vector: OdaVector): CaPublicKey {
  return {
    rid: fromHex(vector.ca_public_key.rid),
    index: parseInt(vector.ca_public_key.index, 16),
    modulus: fromHex(vector.ca_public_key.modulus),
    exponent: fromHex(vector.ca_public_key.exponent),
  };
}

function odaError(fn: () => unknown): OdaError {
  try {
    fn();
  } catch (error) {
    if (error instanceof OdaError) return error;
    throw error;
  }
  throw new Error('expected an OdaError');
}

const today = { year: 2025, month: 5, day: 6 };

describe('CA public keys', () => {
  it.each(
    [visa, mastercard].map((v) => [v.ca_public_key.rid + '/' + v.ca_public_key.index, v] as const),
  )('check sum of test key %s matches the published one', (_name, vector) => {
    expect(toHex(caPublicKeyChecksum(caKeyOf(vector)))).toBe(vector.ca_public_key.checksum);
    expect(
      isCaPublicKeyChecksumValid(caKeyOf(vector), fromHex(vector.ca_public_key.checksum)),
    ).toBe(true);
    const altered = { ...caKeyOf(vector), index: 0x01 };
    expect(isCaPublicKeyChecksumValid(altered, fromHex(vector.ca_public_key.checksum))).toBe(false);
  });
});

describe('issuer public key retrieval (Book 2 §5.3 / §6.3)', () => {
  describe.each([
    ['Visa 1984-bit CA, 1408-bit issuer', visa],
    ['Mastercard 1408-bit CA, 896-bit issuer', mastercard],
  ] as const)('%s (openemv sample)', (_name, vector) => {
    const input: IssuerPublicKeyInput = {
      caPublicKey: caKeyOf(vector),
      certificate: fromHex(vector.issuer_public_key_certificate),
      remainder: fromHex(vector.card_data['92']),
      exponent: fromHex(vector.card_data['9F32']),
      applicationPan: fromHex(vector.card_data['5A']),
      today,
    };

    it('recovers the certificate fields', () => {
      const expected = vector.expected_issuer_public_key;
      const cert = recoverIssuerPublicKeyCertificate(input.caPublicKey, input.certificate);
      expect({
        issuerIdentifier: cert.issuerIdentifier,
        expiry: cert.expiry,
        serial: toHex(cert.serialNumber),
        hashAlgorithm: cert.hashAlgorithm,
        publicKeyAlgorithm: cert.publicKeyAlgorithm,
        length: cert.publicKeyLength,
      }).toEqual({
        issuerIdentifier: expected.issuer_identifier,
        expiry: expected.expiry_mmyy,
        serial: expected.serial_number,
        hashAlgorithm: expected.hash_algorithm,
        publicKeyAlgorithm: expected.public_key_algorithm,
        length: expected.modulus_length,
      });
    });

    it('passes every check and yields the published modulus', () => {
      const key = retrieveIssuerPublicKey(input);
      expect(toHex(key.modulus)).toBe(vector.expected_issuer_public_key.modulus);
      expect(toHex(key.exponent)).toBe(vector.expected_issuer_public_key.exponent);
    });

    it('recovers exactly what node:crypto publicDecrypt (RSA_NO_PADDING) recovers', () => {
      const jwk = {
        kty: 'RSA',
        n: Buffer.from(input.caPublicKey.modulus).toString('base64url'),
        e: Buffer.from(input.caPublicKey.exponent).toString('base64url'),
      };
      const viaOpenSsl = publicDecrypt(
        { key: createPublicKey({ key: jwk, format: 'jwk' }), padding: constants.RSA_NO_PADDING },
        input.certificate,
      );
      expect(toHex(rsaRecover(input.caPublicKey, input.certificate, 'test'))).toBe(
        viaOpenSsl.toString('hex').toUpperCase(),
      );
    });

    it('fails with an expired certificate the month after its expiry', () => {
      const mmyy = vector.expected_issuer_public_key.expiry_mmyy;
      const year = 2000 + Number(mmyy.slice(2));
      const month = Number(mmyy.slice(0, 2));
      expect(() =>
        retrieveIssuerPublicKey({ ...input, today: { year, month, day: 31 } }),
      ).not.toThrow();
      const next =
        month === 12 ? { year: year + 1, month: 1, day: 1 } : { year, month: month + 1, day: 1 };
      expect(odaError(() => retrieveIssuerPublicKey({ ...input, today: next }))).toMatchObject({
        code: 'CERTIFICATE_EXPIRED',
        check: 'Book 2 §5.3 step 9',
      });
    });

    it('fails when the PAN belongs to another issuer', () => {
      expect(
        odaError(() =>
          retrieveIssuerPublicKey({ ...input, applicationPan: fromHex('3714496353984312') }),
        ),
      ).toMatchObject({ code: 'ISSUER_IDENTIFIER_MISMATCH', check: 'Book 2 §5.3 step 8' });
    });

    it('fails when the certificate is on the revocation list', () => {
      const serial = vector.expected_issuer_public_key.serial_number;
      const isRevoked = ({ serialNumber }: { serialNumber: Uint8Array }): boolean =>
        toHex(serialNumber) === serial;
      expect(odaError(() => retrieveIssuerPublicKey({ ...input, isRevoked }))).toMatchObject({
        code: 'CERTIFICATE_REVOKED',
        check: 'Book 2 §5.3 step 10',
      });
    });

    it('fails the hash check when the exponent is not the certified one', () => {
      expect(
        odaError(() => retrieveIssuerPublicKey({ ...input, exponent: fromHex('010001') })),
      ).toMatchObject({
        code: 'HASH_MISMATCH',
        check: 'Book 2 §5.3 steps 5-7',
      });
    });
  });

  it('rejects the corrupted Visa certificate of the source (last byte changed)', () => {
    const error = odaError(() =>
      recoverIssuerPublicKeyCertificate(
        caKeyOf(visa),
        fromHex(visa.issuer_public_key_certificate_corrupted),
      ),
    );
    expect(['RECOVERED_DATA_TRAILER', 'RECOVERED_DATA_HEADER', 'DATA_FORMAT']).toContain(
      error.code,
    );
  });

  it('names step 1 when the certificate length differs from NCA', () => {
    const cert = fromHex(visa.issuer_public_key_certificate).subarray(1);
    expect(odaError(() => recoverIssuerPublicKeyCertificate(caKeyOf(visa), cert))).toMatchObject({
      code: 'SIGNATURE_LENGTH',
      check: 'Book 2 §5.3 step 1',
    });
  });

  it('refuses signed data not smaller than the modulus', () => {
    const cert = filledBytes(caKeyOf(visa).modulus.length, 0xff);
    expect(odaError(() => recoverIssuerPublicKeyCertificate(caKeyOf(visa), cert)).code).toBe(
      'SIGNATURE_OUT_OF_RANGE',
    );
  });

  it('refuses a CA key with a non-EMV exponent before using it', () => {
    const key = { ...caKeyOf(visa), exponent: fromHex('05') };
    expect(
      odaError(() =>
        recoverIssuerPublicKeyCertificate(key, fromHex(visa.issuer_public_key_certificate)),
      ).code,
    ).toBe('PUBLIC_KEY_INVALID');
  });
});

describe('ICC public key retrieval (Book 2 §6.4)', () => {
  describe.each([
    ['Visa 1408-bit ICC key', visa],
    ['Mastercard 768-bit ICC key', mastercard],
  ] as const)('%s (openemv sample)', (_name, vector) => {
    const issuerKey = {
      modulus: fromHex(vector.expected_issuer_public_key.modulus),
      exponent: fromHex(vector.expected_issuer_public_key.exponent),
    };
    const certificate = fromHex(vector.icc_public_key_certificate);

    it('recovers the certificate fields and, with the remainder, the published modulus', () => {
      const expected = vector.expected_icc_public_key;
      const cert = recoverIccPublicKeyCertificate(issuerKey, certificate);
      expect({
        pan: cert.pan,
        expiry: cert.expiry,
        serial: toHex(cert.serialNumber),
        length: cert.publicKeyLength,
        hash: toHex(cert.hashResult),
      }).toEqual({
        pan: expected.pan,
        expiry: expected.expiry_mmyy,
        serial: expected.serial_number,
        length: expected.modulus_length,
        hash: expected.hash_result,
      });
      const leftmost = cert.publicKeyField.subarray(0, cert.publicKeyLength);
      expect(toHex(concatBytes(leftmost, fromHex(vector.card_data['9F48'])))).toBe(
        expected.modulus,
      );
    });

    it('fails the hash check without the static data the sample does not publish', () => {
      const error = odaError(() =>
        retrieveIccPublicKey({
          issuerPublicKey: issuerKey,
          certificate,
          remainder: fromHex(vector.card_data['9F48']),
          exponent: fromHex(vector.card_data['9F47']),
          staticDataToBeAuthenticated: new Uint8Array(),
          applicationPan: fromHex(vector.card_data['5A']),
          today,
        }),
      );
      expect(error).toMatchObject({ code: 'HASH_MISMATCH', check: 'Book 2 §6.4 steps 5-7' });
    });

    it('names the missing ICC Public Key Remainder before hashing', () => {
      const error = odaError(() =>
        retrieveIccPublicKey({
          issuerPublicKey: issuerKey,
          certificate,
          exponent: fromHex(vector.card_data['9F47']),
          staticDataToBeAuthenticated: new Uint8Array(),
          applicationPan: fromHex(vector.card_data['5A']),
          today,
        }),
      );
      expect(error).toMatchObject({ code: 'MISSING_DATA', check: 'Book 2 §6.4 step 5' });
    });
  });

  it('rejects the corrupted Visa ICC certificate of the source', () => {
    const issuerKey = {
      modulus: fromHex(visa.expected_issuer_public_key.modulus),
      exponent: fromHex(visa.expected_issuer_public_key.exponent),
    };
    expect(() =>
      recoverIccPublicKeyCertificate(issuerKey, fromHex(visa.icc_public_key_certificate_corrupted)),
    ).toThrow(OdaError);
  });
});

describe('each Book 2 check, on certificates built to fail it', () => {
  const random = seededRandom('public-key.recovery.spec');
  const keys = deterministicRsaKeyFactory(random);
  const ca = generateTestCa({ random, bits: 1024 });
  const issuerKey: RsaPrivateKey = keys.generate(896, 3);
  const pan = '4761739001010119';
  const good = issueIssuerPublicKeyCertificate({
    caKey: ca.privateKey,
    issuerPublicKey: issuerKey,
    issuerIdentifier: '476173',
    expiry: '1230',
    serialNumber: fromHex('000042'),
  });
  const base: IssuerPublicKeyInput = {
    caPublicKey: ca.publicKey,
    certificate: good.certificate,
    remainder: good.remainder,
    exponent: issuerKey.exponent,
    applicationPan: fromHex(pan),
    today: calendarDateFromYymmdd('250506'),
  };
  /** Re-signs the recovered certificate after `edit`, keeping a valid RSA signature. */
  const tampered = (edit: (recovered: Uint8Array) => void): Uint8Array => {
    const recovered = rsaRecover(ca.publicKey, good.certificate, 'test');
    edit(recovered);
    return rsaSign(ca.privateKey, recovered);
  };

  it('accepts the untouched certificate and returns the issuer key', () => {
    expect(toHex(retrieveIssuerPublicKey(base).modulus)).toBe(toHex(issuerKey.modulus));
  });

  it.each([
    [
      'trailer',
      (r: Uint8Array) => (r[r.length - 1] = 0xbd),
      'RECOVERED_DATA_TRAILER',
      'Book 2 §5.3 step 2',
    ],
    ['header', (r: Uint8Array) => (r[0] = 0x6b), 'RECOVERED_DATA_HEADER', 'Book 2 §5.3 step 3'],
    ['certificate format', (r: Uint8Array) => (r[1] = 0x04), 'DATA_FORMAT', 'Book 2 §5.3 step 4'],
    [
      'hash algorithm',
      (r: Uint8Array) => (r[11] = 0x02),
      'HASH_ALGORITHM',
      'Book 2 §5.3 steps 5-7',
    ],
    [
      'serial number (hashed)',
      (r: Uint8Array) => (r[10] ^= 1),
      'HASH_MISMATCH',
      'Book 2 §5.3 steps 5-7',
    ],
    [
      'key length beyond NCA',
      (r: Uint8Array) => (r[13] = 200),
      'PUBLIC_KEY_LENGTH',
      'Book 2 §5.3 step 5',
    ],
  ])('fails on a bad %s', (_name, edit, code, check) => {
    expect(
      odaError(() => retrieveIssuerPublicKey({ ...base, certificate: tampered(edit) })),
    ).toMatchObject({
      code,
      check,
    });
  });

  /** Edits the recovered certificate, recomputes its hash and re-signs it: only the later checks can fail. */
  const resigned = (edit: (recovered: Uint8Array) => void): Uint8Array => {
    const recovered = rsaRecover(ca.publicKey, good.certificate, 'test');
    edit(recovered);
    const hashed = concatBytes(
      recovered.subarray(1, recovered.length - 21),
      good.remainder,
      issuerKey.exponent,
    );
    recovered.set(createHash('sha1').update(hashed).digest(), recovered.length - 21);
    return rsaSign(ca.privateKey, recovered);
  };

  it.each([
    [
      'an issuer identifier that is not cn',
      (r: Uint8Array) => r.set(fromHex('47A173FF'), 2),
      'ISSUER_IDENTIFIER_MISMATCH',
      'Book 2 §5.3 step 8',
    ],
    [
      'an issuer identifier of two digits',
      (r: Uint8Array) => r.set(fromHex('47FFFFFF'), 2),
      'ISSUER_IDENTIFIER_MISMATCH',
      'Book 2 §5.3 step 8',
    ],
    [
      'an expiry month 13',
      (r: Uint8Array) => r.set(fromHex('1330'), 6),
      'CERTIFICATE_DATE_INVALID',
      'Book 2 §5.3 step 9',
    ],
    [
      'an unknown public key algorithm',
      (r: Uint8Array) => (r[12] = 0x02),
      'PUBLIC_KEY_ALGORITHM',
      'Book 2 §5.3 step 11',
    ],
    [
      'an exponent length that disagrees with 9F32',
      (r: Uint8Array) => (r[14] = 3),
      'PUBLIC_KEY_EXPONENT',
      'Book 2 §5.3 step 11',
    ],
  ])('fails on %s even with a valid signature and hash', (_name, edit, code, check) => {
    expect(
      odaError(() => retrieveIssuerPublicKey({ ...base, certificate: resigned(edit) })),
    ).toMatchObject({
      code,
      check,
    });
  });

  it('fails on a remainder of the wrong length', () => {
    expect(
      odaError(() => retrieveIssuerPublicKey({ ...base, remainder: good.remainder.subarray(1) }))
        .code,
    ).toBe('PUBLIC_KEY_LENGTH');
  });

  it('fails with an ICC certificate for another PAN', () => {
    const iccKey = keys.generate(768, 3);
    const icc = issueIccPublicKeyCertificate({
      issuerKey,
      iccPublicKey: iccKey,
      pan: '4761739001010127',
      expiry: '1230',
      serialNumber: fromHex('000001'),
      staticDataToBeAuthenticated: fromHex('5A084761739001010119'),
    });
    expect(
      odaError(() =>
        retrieveIccPublicKey({
          issuerPublicKey: issuerKey,
          certificate: icc.certificate,
          remainder: icc.remainder,
          exponent: iccKey.exponent,
          staticDataToBeAuthenticated: fromHex('5A084761739001010119'),
          applicationPan: fromHex(pan),
          today: base.today,
        }),
      ),
    ).toMatchObject({ code: 'PAN_MISMATCH', check: 'Book 2 §6.4 step 8' });
  });
});
