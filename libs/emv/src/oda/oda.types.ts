import { toHex } from '../shared/bytes';
import { OdaError } from './oda.error';
import type { RsaPublicKey } from './rsa';

/** A calendar day supplied by the caller (the transaction date, 9A): the lib reads no clock. */
export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** A Certification Authority public key as the terminal holds it (Book 2 §5.2). */
export interface CaPublicKey extends RsaPublicKey {
  /** Registered Application Provider Identifier, 5 bytes. */
  readonly rid: Uint8Array;
  /** CA Public Key Index (8F / 9F22). */
  readonly index: number;
}

/** Fields of a recovered public key certificate common to issuer and ICC (Book 2 §5.3, §6.4). */
export interface RecoveredKeyCertificate {
  /** MMYY, as in the certificate. */
  readonly expiry: string;
  readonly serialNumber: Uint8Array;
  readonly hashAlgorithm: number;
  readonly publicKeyAlgorithm: number;
  /** Key length in bytes (NI or NIC) as the certificate states it. */
  readonly publicKeyLength: number;
  readonly exponentLength: number;
  /** The Public Key (or Leftmost Digits) field, padding included. */
  readonly publicKeyField: Uint8Array;
  readonly hashResult: Uint8Array;
}

export interface RecoveredIssuerCertificate extends RecoveredKeyCertificate {
  /** Issuer Identifier digits, 'F' padding removed (undefined if not cn). */
  readonly issuerIdentifier: string | undefined;
}

export interface RecoveredIccCertificate extends RecoveredKeyCertificate {
  /** Application PAN digits, 'F' padding removed (undefined if not cn). */
  readonly pan: string | undefined;
}

export interface IssuerPublicKey extends RsaPublicKey {
  readonly issuerIdentifier: string;
  readonly expiry: string;
  readonly serialNumber: Uint8Array;
}

export interface IccPublicKey extends RsaPublicKey {
  readonly pan: string;
  readonly expiry: string;
  readonly serialNumber: Uint8Array;
}

/** YYMMDD (9A, 5F24) as bytes or digits to a calendar date; YY 00-49 is 20YY, 50-99 is 19YY. */
export function calendarDateFromYymmdd(value: Uint8Array | string): CalendarDate {
  const digits = typeof value === 'string' ? value : toHex(value);
  const match = /^(\d\d)(\d\d)(\d\d)$/.exec(digits);
  if (!match) throw new RangeError(`not a YYMMDD date: "${digits}"`);
  const [yy, month, day] = match.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31)
    throw new RangeError(`not a YYMMDD date: "${digits}"`);
  return { year: yy < 50 ? 2000 + yy : 1900 + yy, month, day };
}

/**
 * Book 2 §5.3 step 9 and §6.4 step 9: the certificate is valid through the
 * last day of its expiry month.
 */
export function checkCertificateExpiry(expiry: string, today: CalendarDate, check: string): void {
  const match = /^(\d\d)(\d\d)$/.exec(expiry);
  const month = match ? Number(match[1]) : 0;
  if (!match || month < 1 || month > 12) {
    throw new OdaError(
      'CERTIFICATE_DATE_INVALID',
      check,
      `Certificate Expiration Date "${expiry}" is not MMYY`,
    );
  }
  const yy = Number(match[2]);
  const year = yy < 50 ? 2000 + yy : 1900 + yy;
  if (year < today.year || (year === today.year && month < today.month)) {
    throw new OdaError(
      'CERTIFICATE_EXPIRED',
      check,
      `certificate expired at the end of ${expiry.slice(0, 2)}/${year}, before ${today.year}-${String(today.month).padStart(2, '0')}-${String(today.day).padStart(2, '0')}`,
    );
  }
}
