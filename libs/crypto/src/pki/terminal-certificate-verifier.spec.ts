import forge from 'node-forge';
import {
  checkClientCertificate,
  terminalCertificateChecker,
} from './terminal-certificate-verifier';
import { aTerminalPki, pkiError, DAY, T0 } from './test-support/terminal-pki.builder';

describe('checkClientCertificate', () => {
  const pki = aTerminalPki().build();
  const good = pki.terminal('T-2001');
  const revoked = pki.terminal('T-2002');
  const crl = pki.crl([
    { serialNumber: revoked.serialNumber, revokedAt: T0, reason: 'keyCompromise' },
  ]);
  const now = new Date(T0.getTime() + DAY);
  const options = { trust: pki.trust, crl, now };

  it('accepts a good terminal certificate and names the terminal', () => {
    expect(checkClientCertificate(good.certificatePem, options)).toEqual({
      terminalId: 'T-2001',
      serialNumber: good.serialNumber,
      notAfter: good.notAfter,
    });
  });

  it('accepts DER and a tls.PeerCertificate-like object', () => {
    const der = Buffer.from(forge.pem.decode(good.certificatePem)[0]!.body, 'binary');
    expect(checkClientCertificate(der, options).terminalId).toBe('T-2001');
    expect(checkClientCertificate({ raw: der }, options).terminalId).toBe('T-2001');
  });

  it('refuses a revoked certificate', () => {
    expect(pkiError(() => checkClientCertificate(revoked.certificatePem, options)).code).toBe(
      'PKI_CERT_REVOKED',
    );
  });

  it('refuses a certificate from another CA, even one with the same names', () => {
    const impostor = aTerminalPki().named('impostor').build();
    const cert = impostor.terminal('T-2001');
    expect(pkiError(() => checkClientCertificate(cert.certificatePem, options)).code).toBe(
      'PKI_CERT_UNTRUSTED',
    );
  });

  it('refuses outside the validity period', () => {
    expect(
      pkiError(() =>
        checkClientCertificate(good.certificatePem, {
          ...options,
          now: new Date(T0.getTime() - DAY),
        }),
      ).code,
    ).toBe('PKI_CERT_NOT_YET_VALID');
    const afterExpiry = new Date(good.notAfter.getTime() + 1000);
    const freshCrl = pki.crl([], afterExpiry, new Date(afterExpiry.getTime() + DAY));
    expect(
      pkiError(() =>
        checkClientCertificate(good.certificatePem, {
          ...options,
          crl: freshCrl,
          now: afterExpiry,
        }),
      ).code,
    ).toBe('PKI_CERT_EXPIRED');
  });

  it('refuses a server certificate and a CA certificate as terminal identities', () => {
    expect(pkiError(() => checkClientCertificate(pki.server().certificatePem, options)).code).toBe(
      'PKI_NOT_TERMINAL_CERT',
    );
    expect(
      pkiError(() => checkClientCertificate(pki.ca.issuing.certificatePem, options)).code,
    ).toBe('PKI_CERT_UNTRUSTED');
  });

  it('fails closed on a stale CRL, a CRL from the wrong CA and a broken CRL', () => {
    const stale = pki.crl([], new Date(T0.getTime() - 10 * DAY), new Date(T0.getTime() - DAY));
    expect(
      pkiError(() => checkClientCertificate(good.certificatePem, { ...options, crl: stale })).code,
    ).toBe('PKI_CRL_STALE');
    const foreign = aTerminalPki().named('impostor').build().crl();
    expect(
      pkiError(() => checkClientCertificate(good.certificatePem, { ...options, crl: foreign }))
        .code,
    ).toBe('PKI_CRL_INVALID');
    expect(
      pkiError(() => checkClientCertificate(good.certificatePem, { ...options, crl: 'garbage' }))
        .code,
    ).toBe('PKI_CRL_INVALID');
  });

  it('refuses garbage certificates', () => {
    expect(
      pkiError(() =>
        checkClientCertificate(
          '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
          options,
        ),
      ).code,
    ).toBe('PKI_CERT_UNTRUSTED');
    expect(
      pkiError(() => checkClientCertificate(Buffer.from([0x30, 0x03, 0x02, 0x01]), options)).code,
    ).toBe('PKI_CERT_UNTRUSTED');
  });

  it('refuses a trust configuration whose issuing CA is not issued by the root', () => {
    const other = aTerminalPki().named('impostor').build();
    expect(() =>
      checkClientCertificate(good.certificatePem, {
        ...options,
        trust: { ...pki.trust, rootCertificatePem: other.ca.root.certificatePem },
      }),
    ).toThrow(expect.objectContaining({ code: 'PKI_CERT_UNTRUSTED' }));
  });
});

describe('terminalCertificateChecker', () => {
  it('picks up a newly published CRL without being rebuilt', () => {
    const pki = aTerminalPki().build();
    const terminal = pki.terminal('T-3001');
    let current = pki.crl();
    const check = terminalCertificateChecker({
      trust: pki.trust,
      crl: () => current,
      clock: () => T0,
    });
    expect(check(terminal.certificatePem).terminalId).toBe('T-3001');
    current = pki.crl([
      { serialNumber: terminal.serialNumber, revokedAt: T0, reason: 'superseded' },
    ]);
    expect(() => check(terminal.certificatePem)).toThrow(
      expect.objectContaining({ code: 'PKI_CERT_REVOKED' }),
    );
  });
});
