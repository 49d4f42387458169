import forge from 'node-forge';
import { CertificateRevocationList, parseCrl, verifyCrl } from './crl';
import { PkiError } from './pki-error';
import { certificateFromPemOrDer, normalizeSerial } from './x509';

const OID_SERIAL_NUMBER = '2.5.4.5';

/** The two CA certificates a terminal certificate must chain to. */
export interface TerminalTrust {
  readonly rootCertificatePem: string;
  readonly issuingCertificatePem: string;
}

/** What the gateway knows about a caller once its certificate has passed every check. */
export interface VerifiedTerminal {
  readonly terminalId: string;
  /** Lower-case hex. */
  readonly serialNumber: string;
  readonly notAfter: Date;
}

/** A certificate as PEM, DER, or Node's `tls.PeerCertificate` (anything with `raw` DER). */
export type CertificateInput = string | Buffer | { readonly raw: Buffer };

export interface TerminalCertificateCheckOptions {
  readonly trust: TerminalTrust;
  /** The issuing CA's current CRL (PEM, DER or parsed). Required: without it the check fails closed. */
  readonly crl: string | Buffer | CertificateRevocationList;
  readonly now: Date;
}

/**
 * Verifies a terminal's client certificate, the whole way:
 * 1. chain: terminal <- issuing CA <- root, every signature (SHA-256/RSA) and
 *    issuer name, CA flags and keyCertSign on both CAs (RFC 5280 §6.1);
 * 2. validity of all three at `now`;
 * 3. it is a terminal certificate: not a CA, extKeyUsage clientAuth, a CN
 *    equal to its serialNumber attribute when that is present;
 * 4. revocation: the CRL must be the issuing CA's, correctly signed and
 *    current (else PKI_CRL_INVALID / PKI_CRL_STALE), and must not list it.
 * Throws a PkiError with the first failure; returns the terminal identity.
 */
export function checkClientCertificate(
  certificate: CertificateInput,
  options: TerminalCertificateCheckOptions,
): VerifiedTerminal {
  return terminalCertificateChecker({
    trust: options.trust,
    crl: () => options.crl,
    clock: () => options.now,
  })(certificate);
}

/**
 * The same check with the CA certificates parsed once, for the per-call path.
 * `crl` is read on every call so a newly published CRL takes effect without
 * a restart; the parsed form is cached while the same value is returned.
 */
export function terminalCertificateChecker(options: {
  readonly trust: TerminalTrust;
  readonly crl: () => string | Buffer | CertificateRevocationList;
  readonly clock: () => Date;
}): (certificate: CertificateInput) => VerifiedTerminal {
  const root = parseTrusted(options.trust.rootCertificatePem, 'rootCertificatePem');
  const issuing = parseTrusted(options.trust.issuingCertificatePem, 'issuingCertificatePem');
  checkIsCa(root, root, 'root');
  checkIsCa(issuing, root, 'issuing');
  let cached: { source: unknown; parsed: CertificateRevocationList } | undefined;

  return (certificate) => {
    const now = options.clock();
    const leaf = certificateFromPemOrDer(certificate);
    if (!issuedBy(leaf, issuing)) {
      throw new PkiError(
        'PKI_CERT_UNTRUSTED',
        'certificate is not signed by the terminal issuing CA',
        'certificate',
      );
    }
    for (const [cert, name] of [
      [root, 'root CA'],
      [issuing, 'issuing CA'],
      [leaf, 'certificate'],
    ] as const) {
      checkValidity(cert, now, name);
    }
    const terminalId = terminalIdentity(leaf);

    const source = options.crl();
    if (!cached || cached.source !== source) {
      cached = { source, parsed: isParsed(source) ? source : parseCrl(source) };
    }
    verifyCrl(cached.parsed, options.trust.issuingCertificatePem, now);
    const serialNumber = normalizeSerial(leaf.serialNumber);
    if (cached.parsed.revoked.has(serialNumber)) {
      throw new PkiError(
        'PKI_CERT_REVOKED',
        `terminal certificate ${serialNumber} is revoked`,
        'certificate',
      );
    }
    return { terminalId, serialNumber, notAfter: leaf.validity.notAfter };
  };
}

function parseTrusted(pem: string, field: string): forge.pki.Certificate {
  try {
    return forge.pki.certificateFromPem(pem);
  } catch {
    throw new PkiError('INVALID_ARGUMENT', `${field} is not a PEM certificate`, field);
  }
}

function issuedBy(child: forge.pki.Certificate, parent: forge.pki.Certificate): boolean {
  try {
    // forge's verify checks the issuer name, then the signature under the parent's key.
    return parent.verify(child);
  } catch {
    return false;
  }
}

function checkIsCa(
  cert: forge.pki.Certificate,
  issuer: forge.pki.Certificate,
  which: string,
): void {
  const constraints = cert.getExtension('basicConstraints') as { cA?: boolean } | null;
  const usage = cert.getExtension('keyUsage') as { keyCertSign?: boolean } | null;
  if (!constraints?.cA || !usage?.keyCertSign || !issuedBy(cert, issuer)) {
    throw new PkiError(
      'PKI_CERT_UNTRUSTED',
      `the ${which} CA certificate is not a CA certificate issued by the root`,
      `${which}CertificatePem`,
    );
  }
}

function checkValidity(cert: forge.pki.Certificate, now: Date, name: string): void {
  if (now < cert.validity.notBefore) {
    throw new PkiError(
      'PKI_CERT_NOT_YET_VALID',
      `${name} is not valid before ${cert.validity.notBefore.toISOString()}`,
      'certificate',
    );
  }
  if (now > cert.validity.notAfter) {
    throw new PkiError(
      'PKI_CERT_EXPIRED',
      `${name} expired at ${cert.validity.notAfter.toISOString()}`,
      'certificate',
    );
  }
}

function terminalIdentity(leaf: forge.pki.Certificate): string {
  const constraints = leaf.getExtension('basicConstraints') as { cA?: boolean } | null;
  if (constraints?.cA) {
    throw new PkiError(
      'PKI_NOT_TERMINAL_CERT',
      'a CA certificate cannot authenticate a terminal',
      'certificate',
    );
  }
  const eku = leaf.getExtension('extKeyUsage') as { clientAuth?: boolean } | null;
  if (!eku?.clientAuth) {
    throw new PkiError(
      'PKI_NOT_TERMINAL_CERT',
      'certificate lacks the clientAuth extended key usage',
      'certificate',
    );
  }
  const cn = leaf.subject.getField('CN') as { value: string } | null;
  if (!cn)
    throw new PkiError(
      'PKI_NOT_TERMINAL_CERT',
      'certificate has no CN (terminal id)',
      'certificate',
    );
  const terminalId = forge.util.decodeUtf8(cn.value);
  const serialAttribute = leaf.subject.attributes.find((a) => a.type === OID_SERIAL_NUMBER);
  if (serialAttribute && serialAttribute.value !== terminalId) {
    throw new PkiError(
      'PKI_NOT_TERMINAL_CERT',
      'certificate CN and serialNumber attribute name different terminals',
      'certificate',
    );
  }
  return terminalId;
}

function isParsed(value: unknown): value is CertificateRevocationList {
  return (
    typeof value === 'object' && value !== null && !Buffer.isBuffer(value) && 'revoked' in value
  );
}
