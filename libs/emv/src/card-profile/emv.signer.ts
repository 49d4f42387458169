import { createHash } from 'node:crypto';
import { concatBytes, filledBytes, fromHex } from '../shared/bytes';
import { rsaSign, type RsaPrivateKey, type RsaPublicKey } from '../oda/rsa';

// The signing halves of EMV Book 2 that a test CA, a test issuer and a
// simulated card need: the mirror of the terminal checks in ../oda.

const HEADER = Uint8Array.of(0x6a);
const TRAILER = Uint8Array.of(0xbc);
const SHA1 = 0x01;
const RSA = 0x01;

const sha1 = (...parts: Uint8Array[]): Uint8Array =>
  new Uint8Array(
    createHash('sha1')
      .update(concatBytes(...parts))
      .digest(),
  );

/** 6A || data || SHA-1(data || extra) || BC, signed with the RSA private operation (Book 2 Annex A2.1). */
function signWithRecovery(
  key: RsaPrivateKey,
  data: Uint8Array,
  hashExtra: Uint8Array[],
): Uint8Array {
  return rsaSign(key, concatBytes(HEADER, data, sha1(data, ...hashExtra), TRAILER));
}

/** Digits padded on the right with 'F' to `bytes` bytes (format cn). */
function cn(digits: string, bytes: number): Uint8Array {
  if (!/^\d*$/.test(digits) || digits.length > bytes * 2)
    throw new RangeError(`"${digits}" does not fit cn${bytes * 2}`);
  return fromHex(digits.padEnd(bytes * 2, 'F'));
}

function mmyy(expiry: string): Uint8Array {
  if (!/^(0[1-9]|1[0-2])\d\d$/.test(expiry)) throw new RangeError(`expiry "${expiry}" is not MMYY`);
  return fromHex(expiry);
}

export interface IssuedKeyCertificate {
  readonly certificate: Uint8Array;
  /** The part of the modulus that did not fit in the certificate (92 / 9F48), possibly empty. */
  readonly remainder: Uint8Array;
}

function issueKeyCertificate(
  signer: RsaPrivateKey,
  format: number,
  identifier: Uint8Array,
  subject: RsaPublicKey,
  expiry: string,
  serialNumber: Uint8Array,
  fixed: number,
  hashExtra: Uint8Array[],
): IssuedKeyCertificate {
  if (serialNumber.length !== 3) throw new RangeError('certificate serial number must be 3 bytes');
  const room = signer.modulus.length - fixed;
  const key = subject.modulus;
  if (key.length > signer.modulus.length)
    throw new RangeError('certified key is longer than the signing key');
  const leftmost =
    key.length > room
      ? key.subarray(0, room)
      : concatBytes(key, filledBytes(room - key.length, 0xbb));
  const remainder = key.length > room ? key.slice(room) : new Uint8Array();
  const data = concatBytes(
    Uint8Array.of(format),
    identifier,
    mmyy(expiry),
    serialNumber,
    Uint8Array.of(SHA1, RSA, key.length, subject.exponent.length),
    leftmost,
  );
  return {
    certificate: signWithRecovery(signer, data, [remainder, subject.exponent, ...hashExtra]),
    remainder,
  };
}

/** Book 2 §5.1: the CA signs an issuer public key. `issuerIdentifier` = leftmost 3-8 PAN digits. */
export function issueIssuerPublicKeyCertificate(input: {
  caKey: RsaPrivateKey;
  issuerPublicKey: RsaPublicKey;
  issuerIdentifier: string;
  expiry: string;
  serialNumber: Uint8Array;
}): IssuedKeyCertificate {
  if (!/^\d{3,8}$/.test(input.issuerIdentifier))
    throw new RangeError('issuer identifier must be 3-8 digits');
  return issueKeyCertificate(
    input.caKey,
    0x02,
    cn(input.issuerIdentifier, 4),
    input.issuerPublicKey,
    input.expiry,
    input.serialNumber,
    36,
    [],
  );
}

/** Book 2 §6.1: the issuer signs an ICC public key over the static data to be authenticated. */
export function issueIccPublicKeyCertificate(input: {
  issuerKey: RsaPrivateKey;
  iccPublicKey: RsaPublicKey;
  pan: string;
  expiry: string;
  serialNumber: Uint8Array;
  staticDataToBeAuthenticated: Uint8Array;
}): IssuedKeyCertificate {
  return issueKeyCertificate(
    input.issuerKey,
    0x04,
    cn(input.pan, 10),
    input.iccPublicKey,
    input.expiry,
    input.serialNumber,
    42,
    [input.staticDataToBeAuthenticated],
  );
}

/** Book 2 §5.1: Signed Static Application Data (93). */
export function signStaticApplicationData(input: {
  issuerKey: RsaPrivateKey;
  dataAuthenticationCode: Uint8Array;
  staticDataToBeAuthenticated: Uint8Array;
}): Uint8Array {
  if (input.dataAuthenticationCode.length !== 2)
    throw new RangeError('Data Authentication Code must be 2 bytes');
  const pad = filledBytes(input.issuerKey.modulus.length - 26, 0xbb);
  const data = concatBytes(Uint8Array.of(0x03, SHA1), input.dataAuthenticationCode, pad);
  return signWithRecovery(input.issuerKey, data, [input.staticDataToBeAuthenticated]);
}

/**
 * Book 2 §6.5.1: Signed Dynamic Application Data (9F4B), as the
 * card computes it for INTERNAL AUTHENTICATE (DDA) or GENERATE AC (CDA, where
 * the terminal dynamic data is the Unpredictable Number).
 */
export function signDynamicApplicationData(input: {
  iccKey: RsaPrivateKey;
  iccDynamicData: Uint8Array;
  terminalDynamicData: Uint8Array;
}): Uint8Array {
  const ldd = input.iccDynamicData.length;
  const padLength = input.iccKey.modulus.length - ldd - 25;
  if (padLength < 0) throw new RangeError('ICC dynamic data too long for the ICC key');
  const data = concatBytes(
    Uint8Array.of(0x05, SHA1, ldd),
    input.iccDynamicData,
    filledBytes(padLength, 0xbb),
  );
  return signWithRecovery(input.iccKey, data, [input.terminalDynamicData]);
}

/** Book 2 §6.5.1: ICC Dynamic Data for DDA = ICC Dynamic Number with its length. */
export function ddaDynamicData(iccDynamicNumber: Uint8Array): Uint8Array {
  if (iccDynamicNumber.length < 2 || iccDynamicNumber.length > 8)
    throw new RangeError('ICC Dynamic Number is 2-8 bytes');
  return concatBytes(Uint8Array.of(iccDynamicNumber.length), iccDynamicNumber);
}

/** Book 2 §6.6.1: ICC Dynamic Data for CDA. */
export function cdaDynamicData(input: {
  iccDynamicNumber: Uint8Array;
  cryptogramInformationData: Uint8Array;
  applicationCryptogram: Uint8Array;
  transactionData: Uint8Array;
}): Uint8Array {
  if (input.cryptogramInformationData.length !== 1 || input.applicationCryptogram.length !== 8) {
    throw new RangeError('CID is 1 byte and the Application Cryptogram 8 bytes');
  }
  return concatBytes(
    ddaDynamicData(input.iccDynamicNumber),
    input.cryptogramInformationData,
    input.applicationCryptogram,
    sha1(input.transactionData),
  );
}
