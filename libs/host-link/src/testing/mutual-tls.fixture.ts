import {
  createCertificateSigningRequest,
  createTerminalCa,
  generateRsaKeyPair,
  issueServerCertificate,
  issueTerminalCertificate,
  type RsaKeyPair,
  type TerminalCa,
} from '@tillgate/crypto';

export interface TlsIdentity {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** A test PKI: one CA, a host certificate for 127.0.0.1 and client certificates, all real RSA-2048. */
export class TestPki {
  private constructor(
    private readonly ca: TerminalCa,
    private readonly key: RsaKeyPair,
  ) {}

  /** One key pair serves the root, the issuing CA and every end entity: key generation is the slow part. */
  static create(organization: string): TestPki {
    const key = generateRsaKeyPair(2048);
    const ca = createTerminalCa({ organization, rootKey: key, issuingKey: key, now: new Date() });
    return new TestPki(ca, key);
  }

  host(): TlsIdentity {
    const issued = issueServerCertificate({
      ca: this.ca.issuing,
      publicKeyPem: this.key.publicKeyPem,
      commonName: 'issuer-host.test',
      ipAddresses: ['127.0.0.1'],
      now: new Date(),
    });
    return this.identity(issued.certificatePem);
  }

  client(name: string): TlsIdentity {
    const csrPem = createCertificateSigningRequest({
      terminalId: name,
      publicKeyPem: this.key.publicKeyPem,
      privateKeyPem: this.key.privateKeyPem,
    });
    const issued = issueTerminalCertificate({
      ca: this.ca.issuing,
      csrPem,
      terminalId: name,
      now: new Date(),
    });
    return this.identity(issued.certificatePem);
  }

  private identity(cert: string): TlsIdentity {
    return { ca: this.ca.chainPem, cert, key: this.key.privateKeyPem.expose() };
  }
}
