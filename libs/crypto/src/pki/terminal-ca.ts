import forge from 'node-forge';
import { RandomBytes } from '../secret/random-bytes';
import { RsaKeyPair } from './key-pair';
import { PkiError } from './pki-error';
import { addDays, BACKDATE_MS, CertificateAuthority, signCertificate, utf8Attribute } from './x509';

export interface TerminalCa {
  /** Self-signed trust anchor. Its private key belongs offline; it signs only the issuing CA (and root CRLs). */
  readonly root: CertificateAuthority;
  /** Signs terminal certificates and the terminal CRL. */
  readonly issuing: CertificateAuthority;
  /** Issuing CA then root, PEM: what a TLS server trusts for terminal certificates. */
  readonly chainPem: string;
}

export interface CreateTerminalCaOptions {
  /** Subject O= of both CAs, e.g. 'Tillgate Acquiring Ltd'. */
  readonly organization: string;
  readonly rootKey: RsaKeyPair;
  readonly issuingKey: RsaKeyPair;
  readonly now: Date;
  readonly rootValidityDays?: number;
  readonly issuingValidityDays?: number;
  readonly randomBytes?: RandomBytes;
}

/**
 * A two-tier terminal CA (RFC 5280 §4.2.1.9, §4.2.1.3):
 * root: basicConstraints cA, pathLen 1; keyUsage keyCertSign, cRLSign (critical);
 * issuing: basicConstraints cA, pathLen 0; keyUsage keyCertSign, cRLSign (critical),
 * so the issuing CA can sign terminal certificates but no further CA.
 */
export function createTerminalCa(options: CreateTerminalCaOptions): TerminalCa {
  const rootDays = options.rootValidityDays ?? 20 * 365;
  const issuingDays = options.issuingValidityDays ?? 5 * 365;
  if (!options.organization || issuingDays <= 0 || rootDays <= issuingDays) {
    throw new PkiError(
      'INVALID_ARGUMENT',
      'a CA needs an organization, and the root must outlive the issuing CA',
      'organization',
    );
  }
  const notBefore = new Date(options.now.getTime() - BACKDATE_MS);

  const rootCert = signCertificate(
    {
      subject: [
        utf8Attribute('CN', `${options.organization} Terminal Root CA`),
        utf8Attribute('O', options.organization),
      ],
      publicKeyPem: options.rootKey.publicKeyPem,
      notBefore,
      notAfter: addDays(options.now, rootDays),
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 1, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
      randomBytes: options.randomBytes,
    },
    undefined,
    options.rootKey.privateKeyPem,
  );

  const issuingCert = signCertificate(
    {
      subject: [
        utf8Attribute('CN', `${options.organization} Terminal Issuing CA`),
        utf8Attribute('O', options.organization),
      ],
      publicKeyPem: options.issuingKey.publicKeyPem,
      notBefore,
      notAfter: addDays(options.now, issuingDays),
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
      randomBytes: options.randomBytes,
    },
    { certificate: rootCert, privateKeyPem: options.rootKey.privateKeyPem },
  );

  const rootPem = forge.pki.certificateToPem(rootCert);
  const issuingPem = forge.pki.certificateToPem(issuingCert);
  return {
    root: { certificatePem: rootPem, privateKeyPem: options.rootKey.privateKeyPem },
    issuing: { certificatePem: issuingPem, privateKeyPem: options.issuingKey.privateKeyPem },
    chainPem: issuingPem + rootPem,
  };
}
