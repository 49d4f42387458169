import forge from 'node-forge';
import { RandomBytes, systemRandomBytes } from '../secret/random-bytes';
import { Secret } from '../secret/secret';
import { PkiError } from './pki-error';

/** A CA as the key store holds it: certificate and private key (PEM). */
export interface CertificateAuthority {
  readonly certificatePem: string;
  readonly privateKeyPem: Secret<string>;
}

export type Extension = Record<string, unknown> & { name: string };

export interface CertificateTemplate {
  readonly subject: forge.pki.CertificateField[];
  readonly publicKeyPem: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: Extension[];
  readonly randomBytes?: RandomBytes | undefined;
}

/** Self-signed when `issuer` is absent. SHA-256 with RSA (PKCS#1 v1.5). */
export function signCertificate(
  template: CertificateTemplate,
  issuer?: { certificate: forge.pki.Certificate; privateKeyPem: Secret<string> },
  selfKey?: Secret<string>,
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(template.publicKeyPem);
  cert.serialNumber = randomSerialNumber(template.randomBytes ?? systemRandomBytes);
  cert.validity.notBefore = template.notBefore;
  cert.validity.notAfter = template.notAfter;
  cert.setSubject(template.subject);
  cert.setIssuer(issuer ? issuer.certificate.subject.attributes : template.subject);
  const authorityKeyId = issuer
    ? issuer.certificate.generateSubjectKeyIdentifier().getBytes()
    : cert.generateSubjectKeyIdentifier().getBytes();
  cert.setExtensions([
    ...template.extensions,
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: authorityKeyId },
  ]);
  const signingKey = issuer ? issuer.privateKeyPem : selfKey;
  if (!signingKey)
    throw new PkiError(
      'INVALID_ARGUMENT',
      'a self-signed certificate needs its private key',
      'privateKeyPem',
    );
  cert.sign(forge.pki.privateKeyFromPem(signingKey.expose()), forge.md.sha256.create());
  return cert;
}

/**
 * RFC 5280 §4.1.2.2: a positive integer of at most 20 octets, unique per CA.
 * 16 random octets (128 bits of entropy, CA/B Forum asks for 64) with the top
 * bit cleared so the DER INTEGER stays positive without a pad byte.
 */
export function randomSerialNumber(randomBytes: RandomBytes): string {
  const bytes = Buffer.from(randomBytes(16));
  if (bytes.length !== 16)
    throw new PkiError(
      'INVALID_ARGUMENT',
      'randomBytes must return the requested length',
      'randomBytes',
    );
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return bytes.toString('hex');
}

/** Serial numbers compare as lower-case hex without leading zeros. */
export function normalizeSerial(serialHex: string): string {
  if (!/^[0-9a-fA-F]+$/.test(serialHex)) {
    throw new PkiError('INVALID_ARGUMENT', 'serial number must be hex', 'serialNumber');
  }
  return serialHex.toLowerCase().replace(/^0+(?=.)/, '');
}

export function utf8Attribute(shortName: string, value: string): forge.pki.CertificateField {
  return {
    shortName,
    value: forge.util.encodeUtf8(value),
    valueTagClass: forge.asn1.Type.UTF8,
  } as unknown as forge.pki.CertificateField;
}

export function certificateFromPemOrDer(
  certificate: string | Buffer | { raw: Buffer },
): forge.pki.Certificate {
  try {
    if (typeof certificate === 'string') return forge.pki.certificateFromPem(certificate);
    const der = Buffer.isBuffer(certificate) ? certificate : certificate.raw;
    return forge.pki.certificateFromAsn1(
      forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')), true),
    );
  } catch {
    throw new PkiError(
      'PKI_CERT_UNTRUSTED',
      'certificate cannot be parsed (expected PEM or DER X.509)',
      'certificate',
    );
  }
}

export function certificateDer(certificate: forge.pki.Certificate): Buffer {
  return Buffer.from(
    forge.asn1.toDer(forge.pki.certificateToAsn1(certificate)).getBytes(),
    'binary',
  );
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}

/** Certificates start a little in the past so a terminal whose clock lags does not reject a fresh one. */
export const BACKDATE_MS = 5 * 60_000;
