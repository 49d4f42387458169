import type { CaPublicKey } from '../oda/oda.types';
import type { RsaPrivateKey } from '../oda/rsa';
import type { ReadRecordResponse } from '../oda/static-data.builder';

/** A test Certification Authority: its private key signs issuer certificates. */
export interface TestCertificationAuthority {
  readonly publicKey: CaPublicKey;
  readonly privateKey: RsaPrivateKey;
}

export interface CertifiedKey {
  readonly key: RsaPrivateKey;
  /** Issuer (90) or ICC (9F46) Public Key Certificate. */
  readonly certificate: Uint8Array;
  /** Issuer (92) or ICC (9F48) Public Key Remainder; empty when the key fits the certificate. */
  readonly remainder: Uint8Array;
  /** MMYY. */
  readonly certificateExpiry: string;
  readonly certificateSerial: Uint8Array;
}

/**
 * Issuer master keys for the three EMV session-key families (16-byte TDES,
 * odd parity). Only bytes here: @tillgate/crypto derives ICC keys and
 * computes cryptograms from them.
 */
export interface IssuerMasterKeys {
  readonly ac: Uint8Array;
  readonly smi: Uint8Array;
  readonly smc: Uint8Array;
}

/**
 * A synthetic contact chip card with everything a terminal simulator and an
 * issuer simulator need. Test data only: it holds the PIN, private keys and
 * master keys in clear, so it must never describe a real card.
 */
export interface CardProfile {
  readonly version: 1;
  readonly pan: string;
  /** 5F34, two digits. */
  readonly panSequenceNumber: string;
  /** 5F24, YYMMDD. */
  readonly expiryDate: string;
  /** 5F25, YYMMDD. */
  readonly effectiveDate: string;
  readonly serviceCode: string;
  readonly pin: string;
  readonly cardholderName: string;
  readonly aid: Uint8Array;
  readonly ca: CaPublicKey;
  readonly issuer: CertifiedKey;
  readonly icc: CertifiedKey;
  readonly issuerMasterKeys: IssuerMasterKeys;
  /** 82 */
  readonly aip: Uint8Array;
  /** 94 */
  readonly afl: Uint8Array;
  /** READ RECORD responses ('70' templates) for every record the AFL names. */
  readonly records: readonly ReadRecordResponse[];
  /** 9F45, signed inside 93. */
  readonly dataAuthenticationCode: Uint8Array;
}
