import { deriveIccMasterKey, CardIdentity, MasterKeyDerivationOption } from './icc-master-key';
import {
  AcPadding,
  generateApplicationCryptogram,
  generateArpcMethod1,
  generateArpcMethod2,
  verifyApplicationCryptogram,
} from './application-cryptogram';
import { EmvError, requireLength } from './emv-error';
import { IssuerApplicationData, parseIssuerApplicationData } from './issuer-application-data';
import {
  atcDiversifier,
  atcUnpredictableNumberDiversifier,
  deriveCommonSessionKey,
} from './session-key';

/** Terminal and card data elements that enter an ARQC, by EMV tag, with their fixed lengths (Book 3 Annex A). */
export const TRANSACTION_TAG_LENGTHS = {
  '9F02': 6, // Amount, authorised
  '9F03': 6, // Amount, other
  '9F1A': 2, // Terminal country code
  '95': 5, // Terminal verification results
  '5F2A': 2, // Transaction currency code
  '9A': 3, // Transaction date
  '9C': 1, // Transaction type
  '9F37': 4, // Unpredictable number
  '82': 2, // Application interchange profile
  '9F36': 2, // Application transaction counter
} as const;

export type TransactionTag = keyof typeof TRANSACTION_TAG_LENGTHS;

/** The data of one transaction, by tag: the fixed-length elements and the issuer application data (9F10). */
export type TransactionData = { readonly [T in TransactionTag]: Buffer } & {
  readonly '9F10': Buffer;
};

/** One element of an AC input: a tag, or a field taken from the issuer application data. */
export type AcDataElement = TransactionTag | '9F10' | 'CVR' | 'COUNTERS';

/**
 * What a cryptogram version number fixes: how the ICC master key and AC
 * session key are derived, which data the AC covers and how it is padded,
 * and how the ARPC is made.
 */
export interface CryptogramVersion {
  readonly name: string;
  readonly scheme: 'visa' | 'mastercard';
  /** Value of the CVN byte in the issuer application data. */
  readonly cvn: number;
  readonly masterKeyDerivation: MasterKeyDerivationOption;
  /** none: the ICC master key is the AC key; common: EMV CSK with R = ATC||0..0; mastercard: R = ATC||0000||UN. */
  readonly sessionKey: 'none' | 'common' | 'mastercard';
  readonly acPadding: AcPadding;
  readonly acData: readonly AcDataElement[];
  readonly arpc:
    | { readonly method: 1; readonly key: 'icc-master-key' | 'session-key' }
    | { readonly method: 2; readonly key: 'session-key' };
}

const TERMINAL_DATA: readonly AcDataElement[] = [
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
];

/**
 * The CVNs Tillgate knows. Visa names its CVNs by the byte's value read as
 * decimal for 10 and 18 but as hex for '22' (VIS 1.6, IAD format 2); the
 * `cvn` field is always the byte itself.
 */
export const CRYPTOGRAM_VERSIONS = {
  visaCvn10: {
    name: 'Visa CVN 10',
    scheme: 'visa',
    cvn: 0x0a,
    masterKeyDerivation: 'A',
    sessionKey: 'none',
    acPadding: 1,
    acData: [...TERMINAL_DATA, 'CVR'],
    arpc: { method: 1, key: 'icc-master-key' },
  },
  visaCvn18: {
    name: 'Visa CVN 18',
    scheme: 'visa',
    cvn: 0x12,
    masterKeyDerivation: 'B',
    sessionKey: 'common',
    acPadding: 2,
    acData: [...TERMINAL_DATA, '9F10'],
    arpc: { method: 2, key: 'session-key' },
  },
  visaCvn22: {
    name: 'Visa CVN 22',
    scheme: 'visa',
    cvn: 0x22,
    masterKeyDerivation: 'B',
    sessionKey: 'common',
    acPadding: 2,
    acData: [...TERMINAL_DATA, '9F10'],
    arpc: { method: 2, key: 'session-key' },
  },
  // M/Chip CVN byte: b8-b5 version '0001', b3-b2 session key (00 Mastercard SKD, 10 EMV CSK), b1 counters in AC.
  mastercardCvn16: {
    name: 'Mastercard CVN 16',
    scheme: 'mastercard',
    cvn: 0x10,
    masterKeyDerivation: 'A',
    sessionKey: 'mastercard',
    acPadding: 2,
    acData: [...TERMINAL_DATA, 'CVR'],
    arpc: { method: 1, key: 'icc-master-key' },
  },
  mastercardCvn17: {
    name: 'Mastercard CVN 17',
    scheme: 'mastercard',
    cvn: 0x11,
    masterKeyDerivation: 'A',
    sessionKey: 'mastercard',
    acPadding: 2,
    acData: [...TERMINAL_DATA, 'CVR', 'COUNTERS'],
    arpc: { method: 1, key: 'icc-master-key' },
  },
  mastercardCvn20: {
    name: 'Mastercard CVN 20',
    scheme: 'mastercard',
    cvn: 0x14,
    masterKeyDerivation: 'A',
    sessionKey: 'common',
    acPadding: 2,
    acData: [...TERMINAL_DATA, 'CVR'],
    arpc: { method: 1, key: 'session-key' },
  },
  mastercardCvn21: {
    name: 'Mastercard CVN 21',
    scheme: 'mastercard',
    cvn: 0x15,
    masterKeyDerivation: 'A',
    sessionKey: 'common',
    acPadding: 2,
    acData: [...TERMINAL_DATA, 'CVR', 'COUNTERS'],
    arpc: { method: 1, key: 'session-key' },
  },
} as const satisfies Record<string, CryptogramVersion>;

/** The profile for the CVN byte found in a card's issuer application data. */
export function cryptogramVersionFor(
  scheme: 'visa' | 'mastercard',
  cvn: number,
): CryptogramVersion {
  const found = Object.values(CRYPTOGRAM_VERSIONS).find(
    (v) => v.scheme === scheme && v.cvn === cvn,
  );
  if (!found) {
    throw new EmvError(
      'EMV_UNSUPPORTED_CVN',
      `no ${scheme} profile for CVN byte ${cvn.toString(16).toUpperCase().padStart(2, '0')}`,
      '9F10',
    );
  }
  return found;
}

/** Reads the CVN from 9F10 and returns its profile (Visa: byte 3 or 2 by format; Mastercard: byte 2). */
export function cryptogramVersionOf(scheme: 'visa' | 'mastercard', iad: Buffer): CryptogramVersion {
  return cryptogramVersionFor(
    scheme,
    parseIssuerApplicationData(scheme, iad).cryptogramVersionNumber,
  );
}

/** Concatenates the AC input the CVN prescribes, checking every element's length. */
export function buildAcInput(version: CryptogramVersion, transaction: TransactionData): Buffer {
  checkTransaction(transaction);
  const iad: IssuerApplicationData = parseIssuerApplicationData(
    version.scheme,
    transaction['9F10'],
  );
  return Buffer.concat(
    version.acData.map((element) => {
      switch (element) {
        case 'CVR':
          return iad.cardVerificationResults;
        case 'COUNTERS':
          if (iad.scheme !== 'mastercard' || !iad.counters) {
            throw new EmvError(
              'EMV_INVALID_IAD',
              `${version.name} needs the counters in the issuer application data`,
              '9F10',
            );
          }
          return iad.counters;
        default:
          return transaction[element];
      }
    }),
  );
}

export interface CardKeys {
  /** Issuer master key for application cryptograms (IMK-AC, TR-31 usage E0). */
  readonly issuerMasterKey: Buffer;
  readonly card: CardIdentity;
}

/** The ICC master key and the AC session key for this transaction. */
export function deriveAcKeys(
  version: CryptogramVersion,
  keys: CardKeys,
  transaction: TransactionData,
): { readonly iccMasterKey: Buffer; readonly sessionKey: Buffer } {
  checkTransaction(transaction);
  const iccMasterKey = deriveIccMasterKey(
    keys.issuerMasterKey,
    keys.card,
    version.masterKeyDerivation,
  );
  return { iccMasterKey, sessionKey: deriveAcSessionKey(version, iccMasterKey, transaction) };
}

/**
 * The AC session key of this transaction from the card's ICC master key, by
 * the version's session-key derivation (the ICC master key itself for CVNs
 * without one). An issuer that keeps each card's ICC master key derives
 * only this per transaction.
 */
export function deriveAcSessionKey(
  version: CryptogramVersion,
  iccMasterKey: Buffer,
  transaction: TransactionData,
): Buffer {
  switch (version.sessionKey) {
    case 'none':
      return iccMasterKey;
    case 'common':
      return deriveCommonSessionKey(iccMasterKey, atcDiversifier(transaction['9F36']));
    case 'mastercard':
      return deriveCommonSessionKey(
        iccMasterKey,
        atcUnpredictableNumberDiversifier(transaction['9F36'], transaction['9F37']),
      );
  }
}

/** The ARQC (or TC, AAC) the card should have produced for this transaction. */
export function generateArqc(
  version: CryptogramVersion,
  keys: CardKeys,
  transaction: TransactionData,
): Buffer {
  const { sessionKey } = deriveAcKeys(version, keys, transaction);
  return generateApplicationCryptogram(
    sessionKey,
    buildAcInput(version, transaction),
    version.acPadding,
  );
}

/** Verifies a card's ARQC (tag 9F26) in constant time. */
export function verifyArqc(
  version: CryptogramVersion,
  keys: CardKeys,
  transaction: TransactionData,
  arqc: Buffer,
): boolean {
  const { sessionKey } = deriveAcKeys(version, keys, transaction);
  return verifyApplicationCryptogram(
    sessionKey,
    buildAcInput(version, transaction),
    arqc,
    version.acPadding,
  );
}

/** The issuer's answer: ARC for method 1; CSU (and optional proprietary data) for method 2. */
export type ArpcResponse =
  | { readonly arc: Buffer }
  | { readonly csu: Buffer; readonly proprietaryAuthenticationData?: Buffer };

/** The ARPC for tag 91, by the CVN's method and key. */
export function generateArpc(
  version: CryptogramVersion,
  keys: CardKeys,
  transaction: TransactionData,
  arqc: Buffer,
  response: ArpcResponse,
): Buffer {
  const { iccMasterKey, sessionKey } = deriveAcKeys(version, keys, transaction);
  if (version.arpc.method === 1) {
    if (!('arc' in response)) {
      throw new EmvError(
        'EMV_INVALID_DATA',
        `${version.name} uses ARPC method 1, which needs an ARC`,
        'arc',
      );
    }
    return generateArpcMethod1(
      version.arpc.key === 'icc-master-key' ? iccMasterKey : sessionKey,
      arqc,
      response.arc,
    );
  }
  if (!('csu' in response)) {
    throw new EmvError(
      'EMV_INVALID_DATA',
      `${version.name} uses ARPC method 2, which needs a CSU`,
      'csu',
    );
  }
  return generateArpcMethod2(
    sessionKey,
    arqc,
    response.csu,
    response.proprietaryAuthenticationData,
  );
}

function checkTransaction(transaction: TransactionData): void {
  for (const [tag, length] of Object.entries(TRANSACTION_TAG_LENGTHS)) {
    requireLength(transaction[tag as TransactionTag], length, tag);
  }
  const iad = transaction['9F10'];
  if (!Buffer.isBuffer(iad) || iad.length === 0 || iad.length > 32) {
    throw new EmvError(
      'EMV_INVALID_DATA',
      'issuer application data (9F10) must be 1 to 32 bytes',
      '9F10',
    );
  }
}
