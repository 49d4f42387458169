import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { createTerminalCa } from './terminal-ca';
import {
  aTerminalPki,
  countingRandom,
  DAY,
  keyPair,
  T0,
} from './test-support/terminal-pki.builder';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

describe('createTerminalCa', () => {
  const pki = aTerminalPki().build();
  const root = new X509Certificate(pki.ca.root.certificatePem);
  const issuing = new X509Certificate(pki.ca.issuing.certificatePem);

  // node:crypto (OpenSSL) reads the certificates independently of node-forge, which wrote them.
  it('makes a self-signed root CA', () => {
    expect(root.ca).toBe(true);
    expect(root.checkIssued(root)).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(root.subject).toContain('CN=Tillgate Test Acquirer Terminal Root CA');
  });

  it('makes an issuing CA signed by the root', () => {
    expect(issuing.ca).toBe(true);
    expect(issuing.checkIssued(root)).toBe(true);
    expect(issuing.verify(root.publicKey)).toBe(true);
    expect(issuing.verify(issuing.publicKey)).toBe(false);
  });

  it('constrains the path: root pathLen 1, issuing pathLen 0; keyCertSign and cRLSign; both critical', () => {
    for (const [pem, pathLen] of [
      [pki.ca.root.certificatePem, 1],
      [pki.ca.issuing.certificatePem, 0],
    ] as const) {
      const cert = forge.pki.certificateFromPem(pem);
      expect(cert.getExtension('basicConstraints')).toMatchObject({
        critical: true,
        cA: true,
        pathLenConstraint: pathLen,
      });
      expect(cert.getExtension('keyUsage')).toMatchObject({
        critical: true,
        keyCertSign: true,
        cRLSign: true,
        digitalSignature: false,
      });
      expect(cert.getExtension('subjectKeyIdentifier')).toBeTruthy();
      expect(cert.getExtension('authorityKeyIdentifier')).toBeTruthy();
    }
  });

  it('dates validity from the injected clock (5 minutes backdated)', () => {
    expect(new Date(root.validFrom).getTime()).toBe(T0.getTime() - 5 * 60_000);
    expect(new Date(issuing.validTo).getTime()).toBe(T0.getTime() + 5 * 365 * DAY);
    expect(new Date(root.validTo).getTime()).toBe(T0.getTime() + 20 * 365 * DAY);
  });

  it('draws serial numbers from the injected randomness: positive, 16 bytes', () => {
    const again = createTerminalCa({
      organization: 'Tillgate Test Acquirer',
      rootKey: keyPair('main:root'),
      issuingKey: keyPair('main:issuing'),
      now: T0,
      randomBytes: countingRandom(),
    });
    expect(new X509Certificate(again.root.certificatePem).serialNumber).toBe(root.serialNumber);
    expect(root.serialNumber).toHaveLength(32);
    expect(parseInt(root.serialNumber.slice(0, 2), 16) & 0x80).toBe(0);
    expect(issuing.serialNumber).not.toBe(root.serialNumber);
  });

  it('lists the chain issuing CA first', () => {
    expect(pki.ca.chainPem).toBe(pki.ca.issuing.certificatePem + pki.ca.root.certificatePem);
  });

  it('does not give the CAs a clientAuth key purpose', () => {
    expect(issuing.keyUsage ?? []).not.toContain(CLIENT_AUTH);
  });

  it('refuses a root that would not outlive the issuing CA', () => {
    expect(() =>
      createTerminalCa({
        organization: 'X',
        rootKey: keyPair('main:root'),
        issuingKey: keyPair('main:issuing'),
        now: T0,
        rootValidityDays: 365,
        issuingValidityDays: 365,
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
