import { adjustOddParity, isLuhnValid, luhnCheckDigit } from '@tillgate/crypto';
import { fromHex } from '../shared/bytes';
import {
  buildStaticDataToBeAuthenticated,
  type ReadRecordResponse,
} from '../oda/static-data.builder';
import { decodeTlv, encodeTlv } from '../tlv/tlv.codec';
import { constructed, flattenTlv, primitive } from '../tlv/tlv.query';
import type { Tag, TlvNode } from '../tlv/tlv.types';
import type { CardProfile, CertifiedKey, TestCertificationAuthority } from './card-profile.types';
import {
  issueIccPublicKeyCertificate,
  issueIssuerPublicKeyCertificate,
  signStaticApplicationData,
} from './emv.signer';
import { randomDigits, type RandomSource } from './random.source';
import {
  deterministicRsaKeyFactory,
  type EmvPublicExponent,
  type RsaKeyFactory,
} from './rsa-key.factory';

export interface TestCaOptions {
  readonly random: RandomSource;
  /** Default: keys derived from `random` (reproducible with a seeded source). */
  readonly keyFactory?: RsaKeyFactory;
  /** 5-byte RID as hex. Default 'F000000001': ISO/IEC 7816-5 category F, unregistered, so never a real scheme. */
  readonly rid?: string;
  readonly index?: number;
  readonly bits?: number;
  readonly publicExponent?: EmvPublicExponent;
}

export function generateTestCa(options: TestCaOptions): TestCertificationAuthority {
  const rid = fromHex(options.rid ?? 'F000000001');
  const index = options.index ?? 0x01;
  if (rid.length !== 5 || !Number.isInteger(index) || index < 0 || index > 0xff) {
    throw new RangeError('a CA needs a 5-byte RID and a one-byte index');
  }
  const keyFactory = options.keyFactory ?? deterministicRsaKeyFactory(options.random);
  const privateKey = keyFactory.generate(options.bits ?? 1024, options.publicExponent ?? 3);
  return {
    privateKey,
    publicKey: { rid, index, modulus: privateKey.modulus, exponent: privateKey.exponent },
  };
}

export interface CardProfileOptions {
  readonly random: RandomSource;
  readonly keyFactory?: RsaKeyFactory;
  /** The CA that certifies the issuer; a new one is generated if absent. */
  readonly ca?: TestCertificationAuthority;
  /** A Luhn-valid PAN; otherwise `bin` + random digits + check digit. */
  readonly pan?: string;
  readonly bin?: string;
  readonly panLength?: number;
  readonly panSequenceNumber?: string;
  /** YYMMDD; also the month the issuer and ICC certificates expire. */
  readonly expiryDate?: string;
  readonly effectiveDate?: string;
  readonly serviceCode?: string;
  readonly pin?: string;
  readonly cardholderName?: string;
  readonly keyBits?: { readonly ca?: number; readonly issuer?: number; readonly icc?: number };
  readonly publicExponent?: EmvPublicExponent;
}

/** DES keys carry odd parity in the low bit of each byte. */
function tdesKey(random: RandomSource): Uint8Array {
  return new Uint8Array(adjustOddParity(Buffer.from(random(16))));
}

function cnHex(digits: string): string {
  return digits.length % 2 === 0 ? digits : `${digits}F`;
}

function record(sfi: number, recordNumber: number, children: TlvNode[]): ReadRecordResponse {
  return { sfi, record: recordNumber, data: encodeTlv(constructed('70', children)) };
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new RangeError(message);
}

const CURRENCY_AND_COUNTRY = '0156'; // ISO 4217 CNY / ISO 3166 China
const CDOL1 = '9F02069F03069F1A0295055F2A029A039C019F3704';
const CDOL2 = '8A029F02069F03069F1A0295055F2A029A039C019F37049108';
const DDOL = '9F3704';
// Book 3 Annex C3: enciphered PIN online if supported (else next), signature if supported (else next), no CVM.
const CVM_LIST = '000000000000000042035E031F03';
// 82: SDA, DDA, cardholder verification, terminal risk management, issuer authentication, CDA.
const AIP = '7D00';
// 94: SFI 1 record 1 and SFI 2 record 1 signed; SFI 3 records 1-5 hold certificates, not signed.
const AFL = '080101011001010118010500';

/**
 * Generates a synthetic contact chip card per EMV Book 2: a CA key (or the
 * one given), issuer and ICC key pairs with their certificates, records,
 * Signed Static Application Data, PAN, expiry, PIN, PSN and random issuer
 * master keys. With a seeded random source the whole card is reproducible.
 */
export function generateCardProfile(options: CardProfileOptions): CardProfile {
  const { random } = options;
  const keyFactory = options.keyFactory ?? deterministicRsaKeyFactory(random);
  const exponent = options.publicExponent ?? 3;
  const bits = { ca: 1024, issuer: 896, icc: 768, ...options.keyBits };
  const ca =
    options.ca ?? generateTestCa({ random, keyFactory, bits: bits.ca, publicExponent: exponent });
  const caLength = ca.publicKey.modulus.length * 8;
  check(bits.icc <= bits.issuer && bits.issuer <= caLength, 'Book 2 §6.1 needs NIC <= NI <= NCA');

  const bin = options.bin ?? '476173';
  const panLength = options.panLength ?? 16;
  const pan =
    options.pan ??
    ((body) => body + luhnCheckDigit(body))(bin + randomDigits(random, panLength - bin.length - 1));
  check(
    /^\d{12,19}$/.test(pan) && isLuhnValid(pan),
    `PAN must be 12-19 digits with a valid Luhn check digit`,
  );
  const expiryDate = options.expiryDate ?? '491231';
  const effectiveDate = options.effectiveDate ?? '200101';
  check(/^\d{6}$/.test(expiryDate) && /^\d{6}$/.test(effectiveDate), 'dates are YYMMDD');
  const panSequenceNumber = options.panSequenceNumber ?? '01';
  check(/^\d{2}$/.test(panSequenceNumber), 'PAN sequence number is two digits');
  const serviceCode = options.serviceCode ?? '201';
  check(/^\d{3}$/.test(serviceCode), 'service code is three digits');
  const pin = options.pin ?? randomDigits(random, 4);
  check(/^\d{4,12}$/.test(pin), 'PIN is 4-12 digits');
  const cardholderName = options.cardholderName ?? 'TEST/CARDHOLDER';
  const certificateExpiry = expiryDate.slice(2, 4) + expiryDate.slice(0, 2);

  const issuerKey = keyFactory.generate(bits.issuer, exponent);
  const iccKey = keyFactory.generate(bits.icc, exponent);
  const issuerSerial = random(3);
  const iccSerial = random(3);
  const dataAuthenticationCode = random(2);

  const discretionary = randomDigits(random, Math.min(13, 37 - 8 - pan.length));
  const track2 = cnHex(`${pan}D${expiryDate.slice(0, 4)}${serviceCode}${discretionary}`);
  const signedRecords = [
    record(1, 1, [
      primitive('57', track2),
      primitive('5F20', new Uint8Array(Buffer.from(cardholderName, 'latin1'))),
    ]),
    record(2, 1, [
      primitive('5A', cnHex(pan)),
      primitive('5F24', expiryDate),
      primitive('5F25', effectiveDate),
      primitive('5F28', CURRENCY_AND_COUNTRY),
      primitive('5F34', panSequenceNumber),
      primitive('5F30', `0${serviceCode}`),
      primitive('9F07', 'FF00'),
      primitive('9F08', '0002'),
      primitive('8E', CVM_LIST),
      primitive('9F0D', 'DC4000A800'),
      primitive('9F0E', '0010000000'),
      primitive('9F0F', 'DC4004F800'),
      primitive('8C', CDOL1),
      primitive('8D', CDOL2),
      primitive('9F42', CURRENCY_AND_COUNTRY),
      primitive('9F4A', '82'),
    ]),
  ];
  const aip = fromHex(AIP);
  const afl = fromHex(AFL);
  // The certificate records come later: the AFL marks none of them for ODA.
  const staticData = buildStaticDataToBeAuthenticated({
    afl,
    records: signedRecords,
    sdaTagList: fromHex('82'),
    aip,
  });

  const issuedIssuer = issueIssuerPublicKeyCertificate({
    caKey: ca.privateKey,
    issuerPublicKey: issuerKey,
    issuerIdentifier: pan.slice(0, 6),
    expiry: certificateExpiry,
    serialNumber: issuerSerial,
  });
  const issuedIcc = issueIccPublicKeyCertificate({
    issuerKey,
    iccPublicKey: iccKey,
    pan,
    expiry: certificateExpiry,
    serialNumber: iccSerial,
    staticDataToBeAuthenticated: staticData,
  });
  const ssad = signStaticApplicationData({
    issuerKey,
    dataAuthenticationCode,
    staticDataToBeAuthenticated: staticData,
  });

  const issuer: CertifiedKey = {
    key: issuerKey,
    ...issuedIssuer,
    certificateExpiry,
    certificateSerial: issuerSerial,
  };
  const icc: CertifiedKey = {
    key: iccKey,
    ...issuedIcc,
    certificateExpiry,
    certificateSerial: iccSerial,
  };
  const optional = (tag: Tag, value: Uint8Array): TlvNode[] =>
    value.length ? [primitive(tag, value)] : [];
  const certificateRecords = [
    record(3, 1, [
      primitive('8F', Uint8Array.of(ca.publicKey.index)),
      primitive('9F32', issuerKey.exponent),
      ...optional('92', issuer.remainder),
    ]),
    record(3, 2, [primitive('90', issuer.certificate)]),
    record(3, 3, [primitive('93', ssad)]),
    record(3, 4, [
      primitive('9F47', iccKey.exponent),
      ...optional('9F48', icc.remainder),
      primitive('9F49', DDOL),
    ]),
    record(3, 5, [primitive('9F46', icc.certificate)]),
  ];

  return {
    version: 1,
    pan,
    panSequenceNumber,
    expiryDate,
    effectiveDate,
    serviceCode,
    pin,
    cardholderName,
    aid: new Uint8Array([...ca.publicKey.rid, 0x10, 0x10]),
    ca: ca.publicKey,
    issuer,
    icc,
    issuerMasterKeys: { ac: tdesKey(random), smi: tdesKey(random), smc: tdesKey(random) },
    aip,
    afl,
    records: [...signedRecords, ...certificateRecords],
    dataAuthenticationCode,
  };
}

/** Every primitive data object the card's records hold, plus AIP (82) and AFL (94), by tag. */
export function cardDataObjects(profile: CardProfile): Map<Tag, Uint8Array> {
  const nodes = profile.records.flatMap((r) => decodeTlv(r.data));
  const objects = flattenTlv(nodes);
  objects.set('82', profile.aip);
  objects.set('94', profile.afl);
  return objects;
}

/** The card's Book 3 §10.3 static data to be authenticated, as a terminal would build it. */
export function staticDataOf(profile: CardProfile): Uint8Array {
  const objects = cardDataObjects(profile);
  return buildStaticDataToBeAuthenticated({
    afl: profile.afl,
    records: profile.records,
    sdaTagList: objects.get('9F4A'),
    aip: profile.aip,
  });
}

/** Fluent fixture builder over {@link generateCardProfile}. */
export class TestCardBuilder {
  private options: CardProfileOptions;

  constructor(random: RandomSource) {
    this.options = { random };
  }

  private with(changes: Partial<CardProfileOptions>): this {
    this.options = { ...this.options, ...changes };
    return this;
  }

  withPan(pan: string): this {
    return this.with({ pan });
  }

  withPin(pin: string): this {
    return this.with({ pin });
  }

  withExpiry(expiryDate: string): this {
    return this.with({ expiryDate });
  }

  withPanSequenceNumber(panSequenceNumber: string): this {
    return this.with({ panSequenceNumber });
  }

  withKeyBits(keyBits: CardProfileOptions['keyBits']): this {
    return this.with({ keyBits });
  }

  withKeyFactory(keyFactory: RsaKeyFactory): this {
    return this.with({ keyFactory });
  }

  issuedBy(ca: TestCertificationAuthority): this {
    return this.with({ ca });
  }

  build(): CardProfile {
    return generateCardProfile(this.options);
  }
}

export const aTestCard = (random: RandomSource): TestCardBuilder => new TestCardBuilder(random);
