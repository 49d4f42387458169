import forge from 'node-forge';
import { RandomBytes } from '../secret/random-bytes';
import { Secret } from '../secret/secret';
import { PkiError } from './pki-error';
import { addDays, BACKDATE_MS, CertificateAuthority, signCertificate, utf8Attribute } from './x509';

/** Terminal ids go into CN (at most 64 characters, RFC 5280 ub-common-name) and the X.520 serialNumber attribute. */
const TERMINAL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MIN_RSA_BITS = 2048;

export interface IssuedCertificate {
  readonly certificatePem: string;
  /** Lower-case hex, as it will appear on a CRL. */
  readonly serialNumber: string;
  readonly notAfter: Date;
}

export interface IssueTerminalCertificateOptions {
  /** The issuing CA. */
  readonly ca: CertificateAuthority;
  /** The terminal's PKCS#10 request; only its public key is used, after its signature is checked. */
  readonly csrPem: string;
  readonly terminalId: string;
  readonly now: Date;
  /** Default 397 days; never beyond the issuing CA's own notAfter. */
  readonly validityDays?: number;
  readonly randomBytes?: RandomBytes;
}

/**
 * Issues a terminal's TLS client certificate from its CSR. The CSR's
 * proof of possession (its self-signature, RFC 2986 §3) must verify and its
 * RSA key must have at least 2048 bits; a CN in the CSR, if any, must be the
 * terminal id. The subject is built by the CA, not copied from the CSR:
 * CN = serialNumber = terminal id, O = the CA's organization. Extensions:
 * basicConstraints cA=false, keyUsage digitalSignature + keyEncipherment
 * (critical), extKeyUsage clientAuth only.
 */
export function issueTerminalCertificate(
  options: IssueTerminalCertificateOptions,
): IssuedCertificate {
  if (!TERMINAL_ID.test(options.terminalId)) {
    throw new PkiError(
      'INVALID_ARGUMENT',
      'terminal id must be 1 to 64 letters, digits, dots, dashes or underscores',
      'terminalId',
    );
  }
  const csr = parseAndVerifyCsr(options.csrPem);
  const csrCn = csr.subject.getField('CN') as { value: string } | null;
  if (csrCn && forge.util.decodeUtf8(csrCn.value) !== options.terminalId) {
    throw new PkiError(
      'PKI_INVALID_CSR',
      'the CSR names a different terminal in its CN',
      'terminalId',
    );
  }
  return issueEndEntity({
    ca: options.ca,
    publicKeyPem: forge.pki.publicKeyToPem(csr.publicKey as forge.pki.rsa.PublicKey),
    subject: [
      utf8Attribute('CN', options.terminalId),
      { type: '2.5.4.5', value: options.terminalId },
    ],
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
    now: options.now,
    validityDays: options.validityDays ?? 397,
    randomBytes: options.randomBytes,
  });
}

export interface IssueServerCertificateOptions {
  readonly ca: CertificateAuthority;
  readonly publicKeyPem: string;
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly now: Date;
  readonly validityDays?: number;
  readonly randomBytes?: RandomBytes;
}

/** The gateway's TLS server certificate, so terminals can authenticate the gateway under the same trust anchor. */
export function issueServerCertificate(options: IssueServerCertificateOptions): IssuedCertificate {
  const altNames = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(options.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  if (altNames.length === 0) {
    throw new PkiError(
      'INVALID_ARGUMENT',
      'a server certificate needs at least one DNS name or IP address',
      'dnsNames',
    );
  }
  return issueEndEntity({
    ca: options.ca,
    publicKeyPem: options.publicKeyPem,
    subject: [utf8Attribute('CN', options.commonName)],
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
    now: options.now,
    validityDays: options.validityDays ?? 397,
    randomBytes: options.randomBytes,
  });
}

/** What a terminal sends to enrol: a PKCS#10 request with CN = its terminal id, signed with its key. */
export function createCertificateSigningRequest(options: {
  readonly terminalId: string;
  readonly publicKeyPem: string;
  readonly privateKeyPem: Secret<string>;
}): string {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(options.publicKeyPem);
  csr.setSubject([utf8Attribute('CN', options.terminalId)]);
  csr.sign(forge.pki.privateKeyFromPem(options.privateKeyPem.expose()), forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

function parseAndVerifyCsr(csrPem: string): forge.pki.CertificateSigningRequest {
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = forge.pki.certificationRequestFromPem(csrPem, true);
  } catch {
    throw new PkiError(
      'PKI_INVALID_CSR',
      'CSR cannot be parsed (expected a PEM PKCS#10 request with an RSA key)',
      'csrPem',
    );
  }
  let signed = false;
  try {
    signed = csr.verify();
  } catch {
    signed = false;
  }
  if (!signed)
    throw new PkiError(
      'PKI_INVALID_CSR',
      'CSR signature does not verify with its own public key',
      'csrPem',
    );
  const key = csr.publicKey as forge.pki.rsa.PublicKey | null;
  if (!key || !key.n || key.n.bitLength() < MIN_RSA_BITS) {
    throw new PkiError(
      'PKI_INVALID_CSR',
      `CSR key must be RSA of at least ${MIN_RSA_BITS} bits`,
      'csrPem',
    );
  }
  return csr;
}

function issueEndEntity(options: {
  ca: CertificateAuthority;
  publicKeyPem: string;
  subject: forge.pki.CertificateField[];
  extensions: Array<Record<string, unknown> & { name: string }>;
  now: Date;
  validityDays: number;
  randomBytes: RandomBytes | undefined;
}): IssuedCertificate {
  if (!Number.isInteger(options.validityDays) || options.validityDays <= 0) {
    throw new PkiError(
      'INVALID_ARGUMENT',
      'validityDays must be a positive whole number',
      'validityDays',
    );
  }
  const caCert = forge.pki.certificateFromPem(options.ca.certificatePem);
  if (options.now >= caCert.validity.notAfter) {
    throw new PkiError('PKI_CERT_EXPIRED', 'the issuing CA has expired', 'ca');
  }
  const organization = caCert.subject.getField('O') as { value: string } | null;
  const subject = organization
    ? [...options.subject, utf8Attribute('O', forge.util.decodeUtf8(organization.value))]
    : options.subject;
  const wanted = addDays(options.now, options.validityDays);
  const notAfter = wanted < caCert.validity.notAfter ? wanted : caCert.validity.notAfter;
  const cert = signCertificate(
    {
      subject,
      publicKeyPem: options.publicKeyPem,
      notBefore: new Date(options.now.getTime() - BACKDATE_MS),
      notAfter,
      extensions: options.extensions,
      randomBytes: options.randomBytes,
    },
    { certificate: caCert, privateKeyPem: options.ca.privateKeyPem },
  );
  return {
    certificatePem: forge.pki.certificateToPem(cert),
    serialNumber: cert.serialNumber.toLowerCase().replace(/^0+(?=.)/, ''),
    notAfter,
  };
}
