import { fromHex, toHex } from '../shared/bytes';
import { mastercardSample as mastercard, visaSample as visa } from '../test-data/oda-vectors';
import { aTestCard, cardDataObjects, staticDataOf } from '../card-profile/card-profile.generator';
import {
  cdaDynamicData,
  ddaDynamicData,
  signDynamicApplicationData,
} from '../card-profile/emv.signer';
import { seededRandom } from '../card-profile/random.source';
import { encodeTlv } from '../tlv/tlv.codec';
import { constructed, primitive } from '../tlv/tlv.query';
import { OdaError } from './oda.error';
import { retrieveIccPublicKey, retrieveIssuerPublicKey } from './public-key.recovery';
import {
  cdaTransactionData,
  recoverSignedStaticApplicationData,
  verifyCda,
  verifyCdaSignature,
  verifyDynamicSignature,
  verifySignedStaticApplicationData,
} from './signed-data.verifier';

const today = { year: 2025, month: 5, day: 6 };

function odaError(fn: () => unknown): OdaError {
  try {
    fn();
  } catch (error) {
    if (error instanceof OdaError) return error;
    throw error;
  }
  throw new Error('expected an OdaError');
}

describe('Signed Static Application Data (Book 2 §5.4)', () => {
  const issuerKey = {
    modulus: fromHex(visa.expected_issuer_public_key.modulus),
    exponent: fromHex(visa.expected_issuer_public_key.exponent),
  };

  it('recovers the DAC and hash of the Visa sample (openemv)', () => {
    const recovered = recoverSignedStaticApplicationData(
      issuerKey,
      fromHex(visa.signed_static_application_data),
    );
    expect(toHex(recovered.dataAuthenticationCode)).toBe(
      visa.expected_signed_static_application_data.data_authentication_code,
    );
    expect(toHex(recovered.hashResult)).toBe(
      visa.expected_signed_static_application_data.hash_result,
    );
  });

  it('rejects the corrupted sample', () => {
    expect(() =>
      recoverSignedStaticApplicationData(
        issuerKey,
        fromHex(visa.signed_static_application_data_corrupted),
      ),
    ).toThrow(OdaError);
  });
});

describe('CDA signature (Book 2 §6.6.2), Mastercard sample (openemv)', () => {
  const iccKey = {
    modulus: fromHex(mastercard.expected_icc_public_key.modulus),
    exponent: fromHex(mastercard.expected_icc_public_key.exponent),
  };
  const expected = mastercard.expected_signed_dynamic_application_data;

  it('verifies the signature over the unpredictable number and splits the ICC dynamic data', () => {
    const result = verifyCdaSignature(
      iccKey,
      fromHex(mastercard.signed_dynamic_application_data),
      fromHex(mastercard.unpredictable_number),
    );
    expect({
      idn: toHex(result.iccDynamicNumber),
      cid: toHex(result.cryptogramInformationData),
      ac: toHex(result.applicationCryptogram),
      tdhc: toHex(result.transactionDataHashCode),
      hash: toHex(result.hashResult),
    }).toEqual({
      idn: expected.icc_dynamic_number,
      cid: expected.cryptogram_information_data,
      ac: expected.application_cryptogram,
      tdhc: expected.transaction_data_hash_code,
      hash: expected.hash_result,
    });
  });

  it('fails the hash check with another unpredictable number', () => {
    expect(
      odaError(() =>
        verifyCdaSignature(
          iccKey,
          fromHex(mastercard.signed_dynamic_application_data),
          fromHex('8B55633C'),
        ),
      ),
    ).toMatchObject({ code: 'HASH_MISMATCH', check: 'Book 2 §6.6.2 steps 6-8' });
  });

  it('rejects the corrupted sample', () => {
    expect(() =>
      verifyCdaSignature(
        iccKey,
        fromHex(mastercard.signed_dynamic_application_data_corrupted),
        fromHex(mastercard.unpredictable_number),
      ),
    ).toThrow(OdaError);
  });

  it('completes the retrieval chain from the Mastercard test CA to the ICC key recovery', () => {
    const issuer = retrieveIssuerPublicKey({
      caPublicKey: {
        rid: fromHex(mastercard.ca_public_key.rid),
        index: 0xf1,
        modulus: fromHex(mastercard.ca_public_key.modulus),
        exponent: fromHex(mastercard.ca_public_key.exponent),
      },
      certificate: fromHex(mastercard.issuer_public_key_certificate),
      exponent: fromHex('03'),
      applicationPan: fromHex(mastercard.card_data['5A']),
      today,
    });
    expect(toHex(issuer.modulus)).toBe(mastercard.expected_issuer_public_key.modulus);
  });
});

describe('SDA, DDA and CDA against a generated card', () => {
  const card = aTestCard(seededRandom('signed-data.verifier.spec'))
    .withPan('4761739001010119')
    .build();
  const data = cardDataObjects(card);
  const staticData = staticDataOf(card);
  const issuerPublicKey = retrieveIssuerPublicKey({
    caPublicKey: card.ca,
    certificate: data.get('90')!,
    remainder: data.get('92'),
    exponent: data.get('9F32')!,
    applicationPan: data.get('5A')!,
    today,
  });
  const iccPublicKey = retrieveIccPublicKey({
    issuerPublicKey,
    certificate: data.get('9F46')!,
    remainder: data.get('9F48'),
    exponent: data.get('9F47')!,
    staticDataToBeAuthenticated: staticData,
    applicationPan: data.get('5A')!,
    today,
  });

  it('SDA: verifies 93 over the static data and returns the DAC', () => {
    const result = verifySignedStaticApplicationData({
      issuerPublicKey,
      signedStaticApplicationData: data.get('93')!,
      staticDataToBeAuthenticated: staticData,
    });
    expect(toHex(result.dataAuthenticationCode)).toBe(toHex(card.dataAuthenticationCode));
  });

  it('SDA: fails when one byte of a signed record changes', () => {
    const altered = staticData.slice();
    altered[5] ^= 0x01;
    expect(
      odaError(() =>
        verifySignedStaticApplicationData({
          issuerPublicKey,
          signedStaticApplicationData: data.get('93')!,
          staticDataToBeAuthenticated: altered,
        }),
      ),
    ).toMatchObject({ code: 'HASH_MISMATCH', check: 'Book 2 §5.4 steps 5-7' });
  });

  it('SDA: names step 1 when 93 is recovered with the wrong key length', () => {
    expect(
      odaError(() =>
        verifySignedStaticApplicationData({
          issuerPublicKey: iccPublicKey,
          signedStaticApplicationData: data.get('93')!,
          staticDataToBeAuthenticated: staticData,
        }),
      ),
    ).toMatchObject({ code: 'SIGNATURE_LENGTH', check: 'Book 2 §5.4 step 1' });
  });

  const iccDynamicNumber = fromHex('0102030405060708');
  const ddolData = fromHex('DEADBEEF');

  it('DDA: verifies an INTERNAL AUTHENTICATE signature and returns the ICC Dynamic Number', () => {
    const sdad = signDynamicApplicationData({
      iccKey: card.icc.key,
      iccDynamicData: ddaDynamicData(iccDynamicNumber),
      terminalDynamicData: ddolData,
    });
    const result = verifyDynamicSignature({
      iccPublicKey,
      signedDynamicApplicationData: sdad,
      terminalDynamicData: ddolData,
    });
    expect(toHex(result.iccDynamicNumber)).toBe('0102030405060708');
  });

  it('DDA: fails for a replayed signature over another unpredictable number', () => {
    const sdad = signDynamicApplicationData({
      iccKey: card.icc.key,
      iccDynamicData: ddaDynamicData(iccDynamicNumber),
      terminalDynamicData: ddolData,
    });
    expect(
      odaError(() =>
        verifyDynamicSignature({
          iccPublicKey,
          signedDynamicApplicationData: sdad,
          terminalDynamicData: fromHex('DEADBEEE'),
        }),
      ),
    ).toMatchObject({ code: 'HASH_MISMATCH', check: 'Book 2 §6.5.2 steps 5-7' });
  });

  it('DDA: refuses a signature whose ICC dynamic data length overruns the key', () => {
    const sdad = signDynamicApplicationData({
      iccKey: card.icc.key,
      iccDynamicData: fromHex('09' + '00'.repeat(9)),
      terminalDynamicData: ddolData,
    });
    expect(
      odaError(() =>
        verifyDynamicSignature({
          iccPublicKey,
          signedDynamicApplicationData: sdad,
          terminalDynamicData: ddolData,
        }),
      ),
    ).toMatchObject({ code: 'DYNAMIC_DATA_FORMAT' });
  });

  describe('CDA on a GENERATE AC response', () => {
    const unpredictableNumber = fromHex('8B55633B');
    const pdolData = new Uint8Array();
    const cdol1Data = fromHex('000000001000000000000000015600000000000156250506008B55633B');
    const cid = fromHex('80');
    const ac = fromHex('1122334455667788');
    const responseObjects = [
      primitive('9F27', cid),
      primitive('9F36', '0042'),
      primitive('9F10', '06010A03A00000'),
    ];
    const transactionData = cdaTransactionData({
      pdolData,
      cdol1Data,
      generateAcResponse: encodeTlv(constructed('77', responseObjects)),
    });
    const sdad = signDynamicApplicationData({
      iccKey: card.icc.key,
      iccDynamicData: cdaDynamicData({
        iccDynamicNumber,
        cryptogramInformationData: cid,
        applicationCryptogram: ac,
        transactionData,
      }),
      terminalDynamicData: unpredictableNumber,
    });
    const response = encodeTlv(constructed('77', [...responseObjects, primitive('9F4B', sdad)]));

    it('builds the transaction data from the response as received, leaving out 9F4B', () => {
      expect(toHex(cdaTransactionData({ pdolData, cdol1Data, generateAcResponse: response }))).toBe(
        toHex(transactionData),
      );
    });

    it('verifies and returns the Application Cryptogram carried in the signature', () => {
      const result = verifyCda({
        iccPublicKey,
        signedDynamicApplicationData: sdad,
        unpredictableNumber,
        cryptogramInformationData: cid,
        transactionData: cdaTransactionData({ pdolData, cdol1Data, generateAcResponse: response }),
      });
      expect(toHex(result.applicationCryptogram)).toBe('1122334455667788');
      expect(toHex(result.iccDynamicNumber)).toBe('0102030405060708');
    });

    it('fails step 5 when the response CID differs from the signed one', () => {
      expect(
        odaError(() =>
          verifyCda({
            iccPublicKey,
            signedDynamicApplicationData: sdad,
            unpredictableNumber,
            cryptogramInformationData: fromHex('40'),
            transactionData,
          }),
        ),
      ).toMatchObject({ code: 'CID_MISMATCH', check: 'Book 2 §6.6.2 step 5' });
    });

    it('fails steps 9-10 when the amount in CDOL1 data was altered', () => {
      const altered = cdaTransactionData({
        pdolData,
        cdol1Data: fromHex('000000009000000000000000015600000000000156250506008B55633B'),
        generateAcResponse: response,
      });
      expect(
        odaError(() =>
          verifyCda({
            iccPublicKey,
            signedDynamicApplicationData: sdad,
            unpredictableNumber,
            cryptogramInformationData: cid,
            transactionData: altered,
          }),
        ),
      ).toMatchObject({
        code: 'TRANSACTION_DATA_HASH_MISMATCH',
        check: 'Book 2 §6.6.2 steps 9-10',
      });
    });

    it('refuses a response that is not one template 77', () => {
      expect(
        odaError(() =>
          cdaTransactionData({ pdolData, cdol1Data, generateAcResponse: fromHex('800E7800') }),
        ),
      ).toMatchObject({ code: 'RESPONSE_FORMAT' });
      expect(
        odaError(() =>
          cdaTransactionData({ pdolData, cdol1Data, generateAcResponse: fromHex('7705') }),
        ),
      ).toMatchObject({ code: 'RESPONSE_FORMAT' });
    });
  });
});
