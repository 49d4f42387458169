import { EmvError } from './emv-error';

/**
 * Visa issuer application data (tag 9F10), VIS 1.6 Appendix F. Two layouts,
 * told apart by the first byte:
 * - formats 0, 1, 3 ('06'): length 06 | DKI | CVN | CVR (4 bytes, first is
 *   the CVR length 03) | optional issuer discretionary data (length byte first);
 * - formats 2, 4 ('1F', 32 bytes): length 1F | CVN | DKI | CVR (5 bytes) | rest.
 */
export interface VisaIssuerApplicationData {
  readonly scheme: 'visa';
  readonly format: '0/1/3' | '2/4';
  readonly cryptogramVersionNumber: number;
  readonly derivationKeyIndex: number;
  /** The card verification results as they enter the CVN 10 AC input (with the length byte in format 0/1/3). */
  readonly cardVerificationResults: Buffer;
  readonly issuerDiscretionaryData: Buffer;
}

/**
 * Mastercard issuer application data, M/Chip 4 / M/Chip Advance:
 * DKI | CVN | CVR (6 bytes) | DAC or ICC dynamic number (2) | counters (8, when
 * present) | anything after (e.g. M/Chip Advance additional data).
 */
export interface MastercardIssuerApplicationData {
  readonly scheme: 'mastercard';
  readonly derivationKeyIndex: number;
  readonly cryptogramVersionNumber: number;
  readonly cardVerificationResults: Buffer;
  readonly dataAuthenticationCode: Buffer;
  /** Plaintext or encrypted counters; they enter the AC input for CVN 17 and 21. */
  readonly counters?: Buffer;
  readonly additionalData: Buffer;
}

export type IssuerApplicationData = VisaIssuerApplicationData | MastercardIssuerApplicationData;

export function parseVisaIssuerApplicationData(iad: Buffer): VisaIssuerApplicationData {
  if (iad.length >= 7 && iad[0] === 0x06) {
    return {
      scheme: 'visa',
      format: '0/1/3',
      derivationKeyIndex: iad[1],
      cryptogramVersionNumber: iad[2],
      cardVerificationResults: Buffer.from(iad.subarray(3, 7)),
      issuerDiscretionaryData: Buffer.from(iad.subarray(7)),
    };
  }
  if (iad.length === 32 && iad[0] === 0x1f) {
    return {
      scheme: 'visa',
      format: '2/4',
      cryptogramVersionNumber: iad[1],
      derivationKeyIndex: iad[2],
      cardVerificationResults: Buffer.from(iad.subarray(3, 8)),
      issuerDiscretionaryData: Buffer.from(iad.subarray(8)),
    };
  }
  throw new EmvError(
    'EMV_INVALID_IAD',
    `Visa issuer application data must start 06 (formats 0/1/3, at least 7 bytes) or 1F (formats 2/4, 32 bytes); got ${iad.length} bytes starting ${iad.subarray(0, 1).toString('hex').toUpperCase() || 'nothing'}`,
    '9F10',
  );
}

export function parseMastercardIssuerApplicationData(iad: Buffer): MastercardIssuerApplicationData {
  if (iad.length < 10 || (iad.length > 10 && iad.length < 18)) {
    throw new EmvError(
      'EMV_INVALID_IAD',
      `Mastercard issuer application data must be 10 bytes, or 18 or more with counters; got ${iad.length}`,
      '9F10',
    );
  }
  return {
    scheme: 'mastercard',
    derivationKeyIndex: iad[0],
    cryptogramVersionNumber: iad[1],
    cardVerificationResults: Buffer.from(iad.subarray(2, 8)),
    dataAuthenticationCode: Buffer.from(iad.subarray(8, 10)),
    ...(iad.length >= 18 ? { counters: Buffer.from(iad.subarray(10, 18)) } : {}),
    additionalData: Buffer.from(iad.subarray(18)),
  };
}

export function parseIssuerApplicationData(
  scheme: 'visa' | 'mastercard',
  iad: Buffer,
): IssuerApplicationData {
  return scheme === 'visa'
    ? parseVisaIssuerApplicationData(iad)
    : parseMastercardIssuerApplicationData(iad);
}
