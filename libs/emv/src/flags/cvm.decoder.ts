import { readUint } from '../shared/bytes';
import { EmvDataError } from '../shared/emv-data.error';

export type CvmMethod =
  | 'failCvmProcessing'
  | 'plaintextPinByIcc'
  | 'encipheredPinOnline'
  | 'plaintextPinByIccAndSignature'
  | 'encipheredPinByIcc'
  | 'encipheredPinByIccAndSignature'
  | 'signature'
  | 'noCvmRequired'
  | 'noCvmPerformed'
  | 'rfu'
  | 'paymentSystemSpecific'
  | 'issuerSpecific';

export type CvmCondition =
  | 'always'
  | 'unattendedCash'
  | 'notUnattendedCashNotManualCashNotCashback'
  | 'terminalSupportsCvm'
  | 'manualCash'
  | 'purchaseWithCashback'
  | 'applicationCurrencyUnderX'
  | 'applicationCurrencyOverX'
  | 'applicationCurrencyUnderY'
  | 'applicationCurrencyOverY'
  | 'rfu'
  | 'paymentSystemSpecific';

export interface CvmRule {
  readonly method: CvmMethod;
  /** b6-b1 of the first CV Rule byte. */
  readonly methodCode: number;
  /** b7: apply the succeeding CV Rule if this CVM is unsuccessful. */
  readonly applyNextIfUnsuccessful: boolean;
  readonly condition: CvmCondition;
  readonly conditionCode: number;
}

export interface CvmList {
  /** Amount X and Y, binary, in the application currency's minor units. */
  readonly amountX: number;
  readonly amountY: number;
  readonly rules: readonly CvmRule[];
}

export type CvmOutcome = 'unknown' | 'failed' | 'successful' | 'rfu';

export interface CvmResults extends CvmRule {
  readonly result: CvmOutcome;
  readonly resultCode: number;
}

// EMV 4.3 Book 3 Annex C3 (CV Rule byte 1, b6-b1).
const METHODS: Record<number, CvmMethod> = {
  0x00: 'failCvmProcessing',
  0x01: 'plaintextPinByIcc',
  0x02: 'encipheredPinOnline',
  0x03: 'plaintextPinByIccAndSignature',
  0x04: 'encipheredPinByIcc',
  0x05: 'encipheredPinByIccAndSignature',
  0x1e: 'signature',
  0x1f: 'noCvmRequired',
  0x3f: 'noCvmPerformed',
};

function methodOf(code: number): CvmMethod {
  if (METHODS[code]) return METHODS[code];
  if (code >= 0x20 && code <= 0x2f) return 'paymentSystemSpecific';
  if (code >= 0x30 && code <= 0x3e) return 'issuerSpecific';
  return 'rfu';
}

// EMV 4.3 Book 3 Annex C3 (CV Rule byte 2).
const CONDITIONS: readonly CvmCondition[] = [
  'always',
  'unattendedCash',
  'notUnattendedCashNotManualCashNotCashback',
  'terminalSupportsCvm',
  'manualCash',
  'purchaseWithCashback',
  'applicationCurrencyUnderX',
  'applicationCurrencyOverX',
  'applicationCurrencyUnderY',
  'applicationCurrencyOverY',
];

function conditionOf(code: number): CvmCondition {
  if (code < CONDITIONS.length) return CONDITIONS[code];
  return code >= 0x80 ? 'paymentSystemSpecific' : 'rfu';
}

function ruleOf(byte1: number, byte2: number): CvmRule {
  return {
    method: methodOf(byte1 & 0x3f),
    methodCode: byte1 & 0x3f,
    applyNextIfUnsuccessful: (byte1 & 0x40) !== 0,
    condition: conditionOf(byte2),
    conditionCode: byte2,
  };
}

/** CVM List, tag 8E: Amount X (4), Amount Y (4), then 2-byte CV Rules (Book 3 §10.5, Annex C3). */
export function decodeCvmList(bytes: Uint8Array): CvmList {
  // Book 3 Annex A: 10 to 252 bytes, so at least one CV Rule.
  if (bytes.length < 10 || bytes.length > 252 || bytes.length % 2 !== 0) {
    throw new EmvDataError(
      'INVALID_LENGTH',
      '8E',
      `expected 8 bytes plus 2 per CV Rule (at least one), got ${bytes.length}`,
    );
  }
  const rules: CvmRule[] = [];
  for (let i = 8; i < bytes.length; i += 2) rules.push(ruleOf(bytes[i], bytes[i + 1]));
  return {
    amountX: readUint(bytes.subarray(0, 4)),
    amountY: readUint(bytes.subarray(4, 8)),
    rules,
  };
}

const OUTCOMES: readonly CvmOutcome[] = ['unknown', 'failed', 'successful'];

/** CVM Results, tag 9F34: CVM performed, CVM condition, CVM result (Book 3 Annex A). */
export function decodeCvmResults(bytes: Uint8Array): CvmResults {
  if (bytes.length !== 3) {
    throw new EmvDataError('INVALID_LENGTH', '9F34', `expected 3 bytes, got ${bytes.length}`);
  }
  return {
    ...ruleOf(bytes[0], bytes[1]),
    result: OUTCOMES[bytes[2]] ?? 'rfu',
    resultCode: bytes[2],
  };
}

export type CryptogramType = 'AAC' | 'TC' | 'ARQC' | 'RFU';
export type CidReason =
  'none' | 'serviceNotAllowed' | 'pinTryLimitExceeded' | 'issuerAuthenticationFailed' | 'rfu';

export interface CryptogramInformation {
  readonly cryptogramType: CryptogramType;
  /** b6-b5: payment system-specific cryptogram bits. */
  readonly paymentSystemBits: number;
  readonly adviceRequired: boolean;
  readonly reason: CidReason;
}

const TYPES: readonly CryptogramType[] = ['AAC', 'TC', 'ARQC', 'RFU'];
const REASONS: readonly CidReason[] = [
  'none',
  'serviceNotAllowed',
  'pinTryLimitExceeded',
  'issuerAuthenticationFailed',
];

/** Cryptogram Information Data, tag 9F27 (Book 3 §6.5.5.4). */
export function decodeCid(bytes: Uint8Array): CryptogramInformation {
  if (bytes.length !== 1) {
    throw new EmvDataError('INVALID_LENGTH', '9F27', `expected 1 byte, got ${bytes.length}`);
  }
  const cid = bytes[0];
  return {
    cryptogramType: TYPES[cid >> 6],
    paymentSystemBits: (cid >> 4) & 0x03,
    adviceRequired: (cid & 0x08) !== 0,
    reason: REASONS[cid & 0x07] ?? 'rfu',
  };
}
