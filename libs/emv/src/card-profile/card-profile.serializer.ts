import { fromHex, toHex } from '../shared/bytes';
import type { RsaPrivateKey } from '../oda/rsa';
import type { CardProfile, CertifiedKey } from './card-profile.types';

/** Thrown by {@link cardProfileFromJson}; `path` names the offending property. */
export class CardProfileError extends Error {
  override readonly name = 'CardProfileError';

  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

interface CertifiedKeyJson {
  modulus: string;
  exponent: string;
  privateExponent: string;
  certificate: string;
  remainder: string;
  certificateExpiry: string;
  certificateSerial: string;
}

/** JSON form of a {@link CardProfile}: bytes as upper-case hex strings. */
export interface CardProfileJson {
  version: 1;
  pan: string;
  panSequenceNumber: string;
  expiryDate: string;
  effectiveDate: string;
  serviceCode: string;
  pin: string;
  cardholderName: string;
  aid: string;
  ca: { rid: string; index: number; modulus: string; exponent: string };
  issuer: CertifiedKeyJson;
  icc: CertifiedKeyJson;
  issuerMasterKeys: { ac: string; smi: string; smc: string };
  aip: string;
  afl: string;
  records: { sfi: number; record: number; data: string }[];
  dataAuthenticationCode: string;
}

function certifiedKeyToJson(k: CertifiedKey): CertifiedKeyJson {
  return {
    modulus: toHex(k.key.modulus),
    exponent: toHex(k.key.exponent),
    privateExponent: toHex(k.key.privateExponent),
    certificate: toHex(k.certificate),
    remainder: toHex(k.remainder),
    certificateExpiry: k.certificateExpiry,
    certificateSerial: toHex(k.certificateSerial),
  };
}

export function cardProfileToJson(p: CardProfile): CardProfileJson {
  return {
    version: 1,
    pan: p.pan,
    panSequenceNumber: p.panSequenceNumber,
    expiryDate: p.expiryDate,
    effectiveDate: p.effectiveDate,
    serviceCode: p.serviceCode,
    pin: p.pin,
    cardholderName: p.cardholderName,
    aid: toHex(p.aid),
    ca: {
      rid: toHex(p.ca.rid),
      index: p.ca.index,
      modulus: toHex(p.ca.modulus),
      exponent: toHex(p.ca.exponent),
    },
    issuer: certifiedKeyToJson(p.issuer),
    icc: certifiedKeyToJson(p.icc),
    issuerMasterKeys: {
      ac: toHex(p.issuerMasterKeys.ac),
      smi: toHex(p.issuerMasterKeys.smi),
      smc: toHex(p.issuerMasterKeys.smc),
    },
    aip: toHex(p.aip),
    afl: toHex(p.afl),
    records: p.records.map((r) => ({ sfi: r.sfi, record: r.record, data: toHex(r.data) })),
    dataAuthenticationCode: toHex(p.dataAuthenticationCode),
  };
}

/** Reads properties of untrusted JSON, naming the path of the first bad one. */
class Reader {
  constructor(
    private readonly value: unknown,
    private readonly path: string,
  ) {}

  private field(name: string): unknown {
    if (typeof this.value !== 'object' || this.value === null || Array.isArray(this.value)) {
      throw new CardProfileError(this.path, 'expected an object');
    }
    return (this.value as Record<string, unknown>)[name];
  }

  child(name: string): Reader {
    return new Reader(this.field(name), `${this.path}.${name}`);
  }

  string(name: string, pattern: RegExp): string {
    const v = this.field(name);
    if (typeof v !== 'string' || !pattern.test(v)) {
      throw new CardProfileError(`${this.path}.${name}`, `expected a string matching ${pattern}`);
    }
    return v;
  }

  hex(name: string, lengths: { min?: number; max?: number } = {}): Uint8Array {
    const bytes = fromHex(this.string(name, /^(?:[0-9A-Fa-f]{2})*$/));
    if (bytes.length < (lengths.min ?? 0) || bytes.length > (lengths.max ?? Infinity)) {
      throw new CardProfileError(
        `${this.path}.${name}`,
        `expected ${lengths.min ?? 0}-${lengths.max ?? 'any'} bytes`,
      );
    }
    return bytes;
  }

  int(name: string, min: number, max: number): number {
    const v = this.field(name);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new CardProfileError(`${this.path}.${name}`, `expected an integer ${min}-${max}`);
    }
    return v;
  }

  array(name: string): Reader[] {
    const v = this.field(name);
    if (!Array.isArray(v)) throw new CardProfileError(`${this.path}.${name}`, 'expected an array');
    return v.map((item, i) => new Reader(item, `${this.path}.${name}[${i}]`));
  }
}

const DIGITS = (n: string): RegExp => new RegExp(`^\\d{${n}}$`);

function certifiedKeyFromJson(r: Reader): CertifiedKey {
  const key: RsaPrivateKey = {
    modulus: r.hex('modulus', { min: 64, max: 248 }),
    exponent: r.hex('exponent', { min: 1, max: 3 }),
    privateExponent: r.hex('privateExponent', { min: 1, max: 248 }),
  };
  return {
    key,
    certificate: r.hex('certificate', { min: 64, max: 248 }),
    remainder: r.hex('remainder', { max: 248 }),
    certificateExpiry: r.string('certificateExpiry', /^(0[1-9]|1[0-2])\d\d$/),
    certificateSerial: r.hex('certificateSerial', { min: 3, max: 3 }),
  };
}

/** Parses and checks the JSON form; throws {@link CardProfileError} naming the first bad property. */
export function cardProfileFromJson(json: unknown): CardProfile {
  const r = new Reader(json, '$');
  r.int('version', 1, 1);
  const ca = r.child('ca');
  const keys = r.child('issuerMasterKeys');
  return {
    version: 1,
    pan: r.string('pan', DIGITS('12,19')),
    panSequenceNumber: r.string('panSequenceNumber', DIGITS('2')),
    expiryDate: r.string('expiryDate', DIGITS('6')),
    effectiveDate: r.string('effectiveDate', DIGITS('6')),
    serviceCode: r.string('serviceCode', DIGITS('3')),
    pin: r.string('pin', DIGITS('4,12')),
    cardholderName: r.string('cardholderName', /^[\x20-\x7E]{2,26}$/),
    aid: r.hex('aid', { min: 5, max: 16 }),
    ca: {
      rid: ca.hex('rid', { min: 5, max: 5 }),
      index: ca.int('index', 0, 255),
      modulus: ca.hex('modulus', { min: 64, max: 248 }),
      exponent: ca.hex('exponent', { min: 1, max: 3 }),
    },
    issuer: certifiedKeyFromJson(r.child('issuer')),
    icc: certifiedKeyFromJson(r.child('icc')),
    issuerMasterKeys: {
      ac: keys.hex('ac', { min: 16, max: 16 }),
      smi: keys.hex('smi', { min: 16, max: 16 }),
      smc: keys.hex('smc', { min: 16, max: 16 }),
    },
    aip: r.hex('aip', { min: 2, max: 2 }),
    afl: r.hex('afl', { min: 4, max: 252 }),
    records: r.array('records').map((rec) => ({
      sfi: rec.int('sfi', 1, 30),
      record: rec.int('record', 1, 255),
      data: rec.hex('data', { min: 2, max: 256 }),
    })),
    dataAuthenticationCode: r.hex('dataAuthenticationCode', { min: 2, max: 2 }),
  };
}

export const serializeCardProfile = (profile: CardProfile): string =>
  JSON.stringify(cardProfileToJson(profile), null, 2);

export function parseCardProfile(text: string): CardProfile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CardProfileError('$', 'not JSON');
  }
  return cardProfileFromJson(json);
}
