import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { Secret } from '../secret/secret';
import {
  createCertificateSigningRequest,
  issueServerCertificate,
  issueTerminalCertificate,
} from './terminal-certificate';
import { aTerminalPki, pkiError, DAY, keyPair, T0 } from './test-support/terminal-pki.builder';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

describe('issueTerminalCertificate', () => {
  const pki = aTerminalPki().build();
  const issuing = new X509Certificate(pki.ca.issuing.certificatePem);
  const terminalKeys = keyPair('main:terminal:T-1001');
  const csrPem = createCertificateSigningRequest({
    terminalId: 'T-1001',
    publicKeyPem: terminalKeys.publicKeyPem,
    privateKeyPem: terminalKeys.privateKeyPem,
  });
  const issued = issueTerminalCertificate({
    ca: pki.ca.issuing,
    csrPem,
    terminalId: 'T-1001',
    now: T0,
  });
  const cert = new X509Certificate(issued.certificatePem);

  it('is signed by the issuing CA and carries the CSR public key', () => {
    expect(cert.checkIssued(issuing)).toBe(true);
    expect(cert.verify(issuing.publicKey)).toBe(true);
    expect(cert.publicKey.export({ type: 'spki', format: 'pem' })).toBe(terminalKeys.publicKeyPem);
  });

  it('names the terminal in CN and serialNumber, the acquirer in O', () => {
    expect(cert.subject.split('\n')).toEqual([
      'CN=T-1001',
      'serialNumber=T-1001',
      'O=Tillgate Test Acquirer',
    ]);
  });

  it('is a client-authentication end-entity certificate', () => {
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual([CLIENT_AUTH]);
    const parsed = forge.pki.certificateFromPem(issued.certificatePem);
    expect(parsed.getExtension('basicConstraints')).toMatchObject({ critical: true, cA: false });
    expect(parsed.getExtension('keyUsage')).toMatchObject({
      critical: true,
      digitalSignature: true,
      keyEncipherment: true,
      keyCertSign: false,
    });
  });

  it('takes validity from the injected clock, 397 days by default, never past the CA', () => {
    expect(new Date(cert.validFrom).getTime()).toBe(T0.getTime() - 5 * 60_000);
    expect(issued.notAfter.getTime()).toBe(T0.getTime() + 397 * DAY);
    const late = issueTerminalCertificate({
      ca: pki.ca.issuing,
      csrPem,
      terminalId: 'T-1001',
      now: new Date(T0.getTime() + 5 * 365 * DAY - 10 * DAY),
    });
    expect(late.notAfter.getTime()).toBe(new Date(issuing.validTo).getTime());
  });

  it('reports the serial number as it appears in the certificate', () => {
    expect(issued.serialNumber).toBe(cert.serialNumber.toLowerCase().replace(/^0+/, ''));
  });

  it('refuses a CSR whose signature does not verify (proof of possession)', () => {
    const other = keyPair('main:terminal:T-other');
    const csr = forge.pki.createCertificationRequest();
    csr.publicKey = forge.pki.publicKeyFromPem(terminalKeys.publicKeyPem);
    csr.setSubject([{ shortName: 'CN', value: 'T-1001' }]);
    csr.sign(forge.pki.privateKeyFromPem(other.privateKeyPem.expose()), forge.md.sha256.create());
    const forged = forge.pki.certificationRequestToPem(csr);
    expect(
      pkiError(() =>
        issueTerminalCertificate({
          ca: pki.ca.issuing,
          csrPem: forged,
          terminalId: 'T-1001',
          now: T0,
        }),
      ).code,
    ).toBe('PKI_INVALID_CSR');
  });

  it('refuses a CSR for another terminal', () => {
    const error = pkiError(() =>
      issueTerminalCertificate({ ca: pki.ca.issuing, csrPem, terminalId: 'T-1002', now: T0 }),
    );
    expect(error.code).toBe('PKI_INVALID_CSR');
    expect(error.field).toBe('terminalId');
  });

  it('refuses an RSA key under 2048 bits', () => {
    const weak = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const weakCsr = createCertificateSigningRequest({
      terminalId: 'T-1001',
      publicKeyPem: weak.publicKey,
      privateKeyPem: new Secret(weak.privateKey),
    });
    expect(
      pkiError(() =>
        issueTerminalCertificate({
          ca: pki.ca.issuing,
          csrPem: weakCsr,
          terminalId: 'T-1001',
          now: T0,
        }),
      ).code,
    ).toBe('PKI_INVALID_CSR');
  });

  it.each([
    ['garbage', 'not a csr'],
    ['a certificate instead of a CSR', ''],
  ])('refuses %s', (_what, text) => {
    const input = text || issued.certificatePem;
    expect(
      pkiError(() =>
        issueTerminalCertificate({
          ca: pki.ca.issuing,
          csrPem: input,
          terminalId: 'T-1001',
          now: T0,
        }),
      ).code,
    ).toBe('PKI_INVALID_CSR');
  });

  it.each(['', 'T 1001', 'x'.repeat(65), '../etc', 'T-1001\u0000'])(
    'refuses terminal id %j',
    (terminalId) => {
      expect(
        pkiError(() =>
          issueTerminalCertificate({ ca: pki.ca.issuing, csrPem, terminalId, now: T0 }),
        ).field,
      ).toBe('terminalId');
    },
  );

  it('refuses to issue from an expired CA', () => {
    const afterCa = new Date(T0.getTime() + 6 * 365 * DAY);
    expect(
      pkiError(() =>
        issueTerminalCertificate({
          ca: pki.ca.issuing,
          csrPem,
          terminalId: 'T-1001',
          now: afterCa,
        }),
      ).code,
    ).toBe('PKI_CERT_EXPIRED');
  });
});

describe('issueServerCertificate', () => {
  const pki = aTerminalPki().build();
  const server = pki.server();
  const cert = new X509Certificate(server.certificatePem);

  it('is a serverAuth certificate for the given names', () => {
    expect(cert.keyUsage).toEqual([SERVER_AUTH]);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.ca).toBe(false);
  });

  it('needs at least one name', () => {
    expect(() =>
      issueServerCertificate({
        ca: pki.ca.issuing,
        publicKeyPem: server.keys.publicKeyPem,
        commonName: 'x',
        now: T0,
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
