import { constants, generateKeyPairSync, privateEncrypt } from 'node:crypto';
import { isLuhnValid } from '@tillgate/crypto';
import { bytesEqual, toHex } from '../shared/bytes';
import { retrieveIccPublicKey, retrieveIssuerPublicKey } from '../oda/public-key.recovery';
import { rsaSign } from '../oda/rsa';
import { verifySignedStaticApplicationData } from '../oda/signed-data.verifier';
import { decodeSingleTlv } from '../tlv/tlv.codec';
import {
  aTestCard,
  cardDataObjects,
  generateCardProfile,
  generateTestCa,
  staticDataOf,
} from './card-profile.generator';
import type { CardProfile } from './card-profile.types';
import {
  CardProfileError,
  cardProfileFromJson,
  cardProfileToJson,
  parseCardProfile,
  serializeCardProfile,
} from './card-profile.serializer';
import { seededRandom } from './random.source';
import { nodeRsaKeyFactory } from './rsa-key.factory';

const today = { year: 2025, month: 5, day: 6 };

/** The terminal's view: retrieve both keys and verify SDA, using only the card's records. */
function authenticate(card: CardProfile): { issuerModulus: Uint8Array; iccModulus: Uint8Array } {
  const data = cardDataObjects(card);
  const staticData = staticDataOf(card);
  const issuer = retrieveIssuerPublicKey({
    caPublicKey: card.ca,
    certificate: data.get('90')!,
    remainder: data.get('92'),
    exponent: data.get('9F32')!,
    applicationPan: data.get('5A')!,
    today,
  });
  verifySignedStaticApplicationData({
    issuerPublicKey: issuer,
    signedStaticApplicationData: data.get('93')!,
    staticDataToBeAuthenticated: staticData,
  });
  const icc = retrieveIccPublicKey({
    issuerPublicKey: issuer,
    certificate: data.get('9F46')!,
    remainder: data.get('9F48'),
    exponent: data.get('9F47')!,
    staticDataToBeAuthenticated: staticData,
    applicationPan: data.get('5A')!,
    today,
  });
  return { issuerModulus: issuer.modulus, iccModulus: icc.modulus };
}

describe('test card profiles', () => {
  const card = generateCardProfile({ random: seededRandom('card-profile.generator.spec') });

  it('uses the default key sizes: CA 1024, issuer 896, ICC 768 bits', () => {
    expect([
      card.ca.modulus.length,
      card.issuer.key.modulus.length,
      card.icc.key.modulus.length,
    ]).toEqual([128, 112, 96]);
    expect(toHex(card.issuer.key.exponent)).toBe('03');
  });

  it('is authenticated by the terminal half: issuer key, SDA, ICC key', () => {
    const keys = authenticate(card);
    expect(bytesEqual(keys.issuerModulus, card.issuer.key.modulus)).toBe(true);
    expect(bytesEqual(keys.iccModulus, card.icc.key.modulus)).toBe(true);
  });

  it('is reproducible from a seed and differs between seeds', () => {
    const again = generateCardProfile({ random: seededRandom('card-profile.generator.spec') });
    const other = generateCardProfile({ random: seededRandom('another seed') });
    expect(serializeCardProfile(again)).toBe(serializeCardProfile(card));
    expect(other.pan).not.toBe(card.pan);
    expect(toHex(other.icc.key.modulus)).not.toBe(toHex(card.icc.key.modulus));
  });

  it('has a Luhn-valid PAN on the default BIN, a 4-digit PIN and matching track 2', () => {
    expect(card.pan).toMatch(/^476173\d{10}$/);
    expect(isLuhnValid(card.pan)).toBe(true);
    expect(card.pin).toMatch(/^\d{4}$/);
    const track2 = toHex(cardDataObjects(card).get('57')!);
    expect(track2.startsWith(`${card.pan}D${card.expiryDate.slice(0, 4)}${card.serviceCode}`)).toBe(
      true,
    );
  });

  it('has three 16-byte issuer master keys with odd DES parity', () => {
    for (const key of [
      card.issuerMasterKeys.ac,
      card.issuerMasterKeys.smi,
      card.issuerMasterKeys.smc,
    ]) {
      expect(key).toHaveLength(16);
      expect([...key].every((b) => (b.toString(2).match(/1/g)?.length ?? 0) % 2 === 1)).toBe(true);
    }
  });

  it('holds every AFL record as one template 70 that fits a READ RECORD response', () => {
    for (const r of card.records) {
      expect(decodeSingleTlv(r.data).tag).toBe('70');
      expect(r.data.length).toBeLessThanOrEqual(256);
    }
    expect(card.records.map((r) => `${r.sfi}.${r.record}`)).toEqual([
      '1.1',
      '2.1',
      '3.1',
      '3.2',
      '3.3',
      '3.4',
      '3.5',
    ]);
  });

  it('builder: honours PAN, PIN, PSN and expiry, and shares a CA across cards', () => {
    const random = seededRandom('builder');
    const ca = generateTestCa({ random, index: 0xf1 });
    const a = aTestCard(random)
      .issuedBy(ca)
      .withPan('5413330089020011')
      .withPin('1234')
      .withPanSequenceNumber('02')
      .withExpiry('271231')
      .build();
    const b = aTestCard(random).issuedBy(ca).build();
    expect([a.pan, a.pin, a.panSequenceNumber, a.expiryDate, a.issuer.certificateExpiry]).toEqual([
      '5413330089020011',
      '1234',
      '02',
      '271231',
      '1227',
    ]);
    expect(toHex(b.ca.modulus)).toBe(toHex(a.ca.modulus));
    expect(b.ca.index).toBe(0xf1);
    expect(authenticate(a).iccModulus).toHaveLength(96);
  });

  it('works with OpenSSL-generated keys, exponent 65537 and a 1984-bit CA', () => {
    const big = aTestCard(seededRandom('node keys'))
      .withKeyFactory(nodeRsaKeyFactory)
      .withKeyBits({ ca: 1984, issuer: 1408, icc: 1024 })
      .build();
    expect(big.ca.modulus).toHaveLength(248);
    expect(authenticate(big).iccModulus).toHaveLength(128);
    const e65537 = generateCardProfile({ random: seededRandom('65537'), publicExponent: 65537 });
    expect(toHex(e65537.icc.key.exponent)).toBe('010001');
    expect(authenticate(e65537).issuerModulus).toHaveLength(112);
  });

  it('signs exactly as node:crypto privateEncrypt with RSA_NO_PADDING', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 768, publicExponent: 3 });
    const jwk = privateKey.export({ format: 'jwk' });
    const bytes = (b64: string | undefined): Uint8Array =>
      new Uint8Array(Buffer.from(b64 ?? '', 'base64url'));
    const key = { modulus: bytes(jwk.n), exponent: bytes(jwk.e), privateExponent: bytes(jwk.d) };
    const message = new Uint8Array(96).fill(0xbb);
    message[0] = 0x6a;
    const expected = privateEncrypt(
      { key: privateKey, padding: constants.RSA_NO_PADDING },
      message,
    );
    expect(toHex(rsaSign(key, message))).toBe(expected.toString('hex').toUpperCase());
  });

  it('refuses key sizes that break NIC <= NI <= NCA', () => {
    expect(() =>
      generateCardProfile({ random: seededRandom('x'), keyBits: { ca: 1024, issuer: 1152 } }),
    ).toThrow(RangeError);
  });

  it('refuses a PAN with a wrong check digit', () => {
    expect(() => aTestCard(seededRandom('x')).withPan('4761739001010118').build()).toThrow(/Luhn/);
  });
});

describe('card profile JSON', () => {
  const card = generateCardProfile({ random: seededRandom('json') });

  it('round-trips through text', () => {
    expect(parseCardProfile(serializeCardProfile(card))).toEqual(card);
  });

  it('names the first bad property', () => {
    const json = cardProfileToJson(card) as unknown as Record<string, Record<string, unknown>>;
    json.icc.certificateSerial = '0001';
    expect(() => cardProfileFromJson(json)).toThrow(
      expect.objectContaining({ path: '$.icc.certificateSerial' }),
    );
    expect(() => cardProfileFromJson({ ...cardProfileToJson(card), pan: 'x' })).toThrow(
      CardProfileError,
    );
    expect(() => parseCardProfile('{')).toThrow(expect.objectContaining({ path: '$' }));
    expect(() => cardProfileFromJson([])).toThrow(CardProfileError);
  });
});
