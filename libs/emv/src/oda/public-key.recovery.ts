import { cnDigits, concatBytes, copyBytes, toHex } from '../shared/bytes';
import { OdaError } from './oda.error';
import {
  checkCertificateExpiry,
  type CalendarDate,
  type CaPublicKey,
  type IccPublicKey,
  type IssuerPublicKey,
  type RecoveredIccCertificate,
  type RecoveredIssuerCertificate,
  type RecoveredKeyCertificate,
} from './oda.types';
import { isEmvExponent, type RsaPublicKey } from './rsa';
import {
  checkHash,
  hashedPart,
  hashResultOf,
  recoverSignedData,
  RSA_INDICATOR,
} from './signature-recovery';

const ISSUER = 'Book 2 §5.3';
const ICC = 'Book 2 §6.4';

/** Bytes of a certificate around the key field: header..exponent length (15 or 21), hash and trailer (21). */
const ISSUER_FIXED = 36;
const ICC_FIXED = 42;

function parseKeyCertificate(
  recovered: Uint8Array,
  idLength: number,
): RecoveredKeyCertificate & { id: Uint8Array } {
  let p = 2;
  const take = (n: number): Uint8Array => copyBytes(recovered, p, (p += n));
  const id = take(idLength);
  const expiry = toHex(take(2));
  const serialNumber = take(3);
  const [hashAlgorithm, publicKeyAlgorithm, publicKeyLength, exponentLength] = take(4);
  return {
    id,
    expiry,
    serialNumber,
    hashAlgorithm,
    publicKeyAlgorithm,
    publicKeyLength,
    exponentLength,
    publicKeyField: copyBytes(recovered, p, recovered.length - 21),
    hashResult: hashResultOf(recovered),
  };
}

interface Recovered<C> {
  readonly recovered: Uint8Array;
  readonly cert: C;
}

function recoverIssuer(
  caPublicKey: RsaPublicKey,
  certificate: Uint8Array,
): Recovered<RecoveredIssuerCertificate> {
  const recovered = recoverSignedData(caPublicKey, certificate, {
    what: 'Issuer Public Key Certificate (90)',
    keyName: 'CA public key',
    clause: ISSUER,
    format: 0x02,
  });
  const { id, ...fields } = parseKeyCertificate(recovered, 4);
  return { recovered, cert: { ...fields, issuerIdentifier: cnDigits(id) } };
}

function recoverIcc(
  issuerPublicKey: RsaPublicKey,
  certificate: Uint8Array,
): Recovered<RecoveredIccCertificate> {
  const recovered = recoverSignedData(issuerPublicKey, certificate, {
    what: 'ICC Public Key Certificate (9F46)',
    keyName: 'issuer public key',
    clause: ICC,
    format: 0x04,
  });
  const { id, ...fields } = parseKeyCertificate(recovered, 10);
  return { recovered, cert: { ...fields, pan: cnDigits(id) } };
}

/** Steps 1-4 of Book 2 §5.3 (= §6.3): recovery and format checks of the Issuer Public Key Certificate, no hash. */
export function recoverIssuerPublicKeyCertificate(
  caPublicKey: RsaPublicKey,
  certificate: Uint8Array,
): RecoveredIssuerCertificate {
  return recoverIssuer(caPublicKey, certificate).cert;
}

/** Steps 1-4 of Book 2 §6.4: recovery and format checks of the ICC Public Key Certificate, no hash. */
export function recoverIccPublicKeyCertificate(
  issuerPublicKey: RsaPublicKey,
  certificate: Uint8Array,
): RecoveredIccCertificate {
  return recoverIcc(issuerPublicKey, certificate).cert;
}

function panDigitsOf(applicationPan: Uint8Array, clause: string): string {
  const digits = cnDigits(applicationPan);
  if (digits === undefined || digits.length < 8) {
    throw new OdaError(
      'MISSING_DATA',
      clause,
      'Application PAN (5A) is missing or not compressed numeric',
    );
  }
  return digits;
}

/**
 * Key length, remainder and exponent presence: a missing or wrongly sized
 * remainder would only surface as a hash mismatch, so it is named first.
 */
function checkKeyParts(
  cert: RecoveredKeyCertificate,
  signerLength: number,
  fixed: number,
  remainder: Uint8Array,
  exponent: Uint8Array,
  names: { key: string; remainder: string; exponent: string; signer: string },
  clause: string,
): void {
  const length = cert.publicKeyLength;
  if (length === 0 || length > signerLength) {
    throw new OdaError(
      'PUBLIC_KEY_LENGTH',
      `${clause} step 5`,
      `${names.key} length ${length} must be 1..${signerLength} (not longer than the ${names.signer})`,
    );
  }
  const expected = Math.max(0, length - (signerLength - fixed));
  if (remainder.length !== expected) {
    throw new OdaError(
      expected > 0 && remainder.length === 0 ? 'MISSING_DATA' : 'PUBLIC_KEY_LENGTH',
      `${clause} step 5`,
      `${names.remainder} is ${remainder.length} bytes; a ${length}-byte key needs ${expected}`,
    );
  }
  if (exponent.length === 0) {
    throw new OdaError('MISSING_DATA', `${clause} step 5`, `${names.exponent} is missing`);
  }
}

function checkAlgorithmAndExponent(
  cert: RecoveredKeyCertificate,
  exponent: Uint8Array,
  step: string,
  name: string,
): void {
  if (cert.publicKeyAlgorithm !== RSA_INDICATOR) {
    throw new OdaError(
      'PUBLIC_KEY_ALGORITHM',
      step,
      `Public Key Algorithm Indicator ${cert.publicKeyAlgorithm} is not RSA ('01')`,
    );
  }
  if (cert.exponentLength !== exponent.length || !isEmvExponent(exponent)) {
    throw new OdaError(
      'PUBLIC_KEY_EXPONENT',
      step,
      `${name} is ${toHex(exponent)}; the certificate says ${cert.exponentLength} byte(s) and EMV allows 3 or 65537`,
    );
  }
}

function modulusOf(cert: RecoveredKeyCertificate, remainder: Uint8Array): Uint8Array {
  const leftmost = cert.publicKeyField.subarray(
    0,
    Math.min(cert.publicKeyLength, cert.publicKeyField.length),
  );
  return concatBytes(leftmost, remainder);
}

export interface IssuerPublicKeyInput {
  readonly caPublicKey: CaPublicKey;
  /** Issuer Public Key Certificate (90). */
  readonly certificate: Uint8Array;
  /** Issuer Public Key Remainder (92), if the card has one. */
  readonly remainder?: Uint8Array;
  /** Issuer Public Key Exponent (9F32). */
  readonly exponent: Uint8Array;
  /** Application PAN (5A). */
  readonly applicationPan: Uint8Array;
  /** Transaction date, for the expiry check. */
  readonly today: CalendarDate;
  /** Step 10: the terminal's certification revocation list, if it keeps one. */
  readonly isRevoked?: (entry: {
    rid: Uint8Array;
    caIndex: number;
    serialNumber: Uint8Array;
  }) => boolean;
}

/** EMV Book 2 §5.3 (and §6.3, identical): retrieval of the Issuer Public Key. */
export function retrieveIssuerPublicKey(input: IssuerPublicKeyInput): IssuerPublicKey {
  const remainder = input.remainder ?? new Uint8Array();
  const { recovered, cert } = recoverIssuer(input.caPublicKey, input.certificate);
  checkKeyParts(
    cert,
    input.certificate.length,
    ISSUER_FIXED,
    remainder,
    input.exponent,
    {
      key: 'Issuer Public Key',
      remainder: 'Issuer Public Key Remainder (92)',
      exponent: 'Issuer Public Key Exponent (9F32)',
      signer: 'CA public key',
    },
    ISSUER,
  );
  // Step 5: format through leftmost key digits as recovered, then the remainder and the exponent.
  checkHash(
    cert.hashAlgorithm,
    [hashedPart(recovered), remainder, input.exponent],
    cert.hashResult,
    'Issuer Public Key Certificate',
    `${ISSUER} steps 5-7`,
  );

  const panDigits = panDigitsOf(input.applicationPan, `${ISSUER} step 8`);
  const id = cert.issuerIdentifier;
  if (id === undefined || id.length < 3 || id.length > 8 || !panDigits.startsWith(id)) {
    throw new OdaError(
      'ISSUER_IDENTIFIER_MISMATCH',
      `${ISSUER} step 8`,
      'Issuer Identifier does not match the leftmost 3-8 digits of the Application PAN',
    );
  }
  checkCertificateExpiry(cert.expiry, input.today, `${ISSUER} step 9`);
  if (
    input.isRevoked?.({
      rid: input.caPublicKey.rid,
      caIndex: input.caPublicKey.index,
      serialNumber: cert.serialNumber,
    })
  ) {
    throw new OdaError(
      'CERTIFICATE_REVOKED',
      `${ISSUER} step 10`,
      `certificate serial ${toHex(cert.serialNumber)} is revoked`,
    );
  }
  checkAlgorithmAndExponent(
    cert,
    input.exponent,
    `${ISSUER} step 11`,
    'Issuer Public Key Exponent (9F32)',
  );
  return {
    modulus: modulusOf(cert, remainder),
    exponent: copyBytes(input.exponent),
    issuerIdentifier: id,
    expiry: cert.expiry,
    serialNumber: cert.serialNumber,
  };
}

export interface IccPublicKeyInput {
  readonly issuerPublicKey: RsaPublicKey;
  /** ICC Public Key Certificate (9F46). */
  readonly certificate: Uint8Array;
  /** ICC Public Key Remainder (9F48), if the card has one. */
  readonly remainder?: Uint8Array;
  /** ICC Public Key Exponent (9F47). */
  readonly exponent: Uint8Array;
  /** Book 3 §10.3 static data to be authenticated (see buildStaticDataToBeAuthenticated). */
  readonly staticDataToBeAuthenticated: Uint8Array;
  readonly applicationPan: Uint8Array;
  readonly today: CalendarDate;
}

/** EMV Book 2 §6.4: retrieval of the ICC Public Key. */
export function retrieveIccPublicKey(input: IccPublicKeyInput): IccPublicKey {
  const remainder = input.remainder ?? new Uint8Array();
  const { recovered, cert } = recoverIcc(input.issuerPublicKey, input.certificate);
  checkKeyParts(
    cert,
    input.certificate.length,
    ICC_FIXED,
    remainder,
    input.exponent,
    {
      key: 'ICC Public Key',
      remainder: 'ICC Public Key Remainder (9F48)',
      exponent: 'ICC Public Key Exponent (9F47)',
      signer: 'issuer public key',
    },
    ICC,
  );
  // Step 5: format through leftmost key digits as recovered, the remainder, the exponent, then the static data.
  checkHash(
    cert.hashAlgorithm,
    [hashedPart(recovered), remainder, input.exponent, input.staticDataToBeAuthenticated],
    cert.hashResult,
    'ICC Public Key Certificate',
    `${ICC} steps 5-7`,
  );
  const panDigits = panDigitsOf(input.applicationPan, `${ICC} step 8`);
  if (cert.pan === undefined || cert.pan !== panDigits) {
    throw new OdaError(
      'PAN_MISMATCH',
      `${ICC} step 8`,
      'recovered PAN differs from the Application PAN (5A)',
    );
  }
  checkCertificateExpiry(cert.expiry, input.today, `${ICC} step 9`);
  checkAlgorithmAndExponent(
    cert,
    input.exponent,
    `${ICC} step 10`,
    'ICC Public Key Exponent (9F47)',
  );
  return {
    modulus: modulusOf(cert, remainder),
    exponent: copyBytes(input.exponent),
    pan: cert.pan,
    expiry: cert.expiry,
    serialNumber: cert.serialNumber,
  };
}
