import forge from 'node-forge';
import { createCrl, parseCrl, verifyCrl } from './crl';
import { aTerminalPki, pkiError, DAY, T0 } from './test-support/terminal-pki.builder';

describe('CRL (RFC 5280 §5)', () => {
  const pki = aTerminalPki().build();
  const issuer = pki.ca.issuing;
  const nextUpdate = new Date(T0.getTime() + 7 * DAY);
  const pem = createCrl({
    issuer,
    revoked: [
      {
        serialNumber: '00AB01',
        revokedAt: new Date('2026-02-01T00:00:00Z'),
        reason: 'keyCompromise',
      },
      {
        serialNumber: '7f00000000000000000000000000c0de',
        revokedAt: new Date('2026-02-02T00:00:00Z'),
      },
      {
        serialNumber: '80',
        revokedAt: new Date('2026-02-03T00:00:00Z'),
        reason: 'cessationOfOperation',
      },
    ],
    crlNumber: 42,
    thisUpdate: T0,
    nextUpdate,
  });
  const crl = parseCrl(pem);

  it('is PEM with the X509 CRL label', () => {
    expect(pem).toMatch(/^-----BEGIN X509 CRL-----\r?\n/);
  });

  it('round-trips issuer, dates, CRL number, entries and reasons', () => {
    expect(crl.thisUpdate).toEqual(T0);
    expect(crl.nextUpdate).toEqual(nextUpdate);
    expect(crl.crlNumber).toBe(42n);
    expect([...crl.revoked.entries()]).toEqual([
      ['ab01', { revokedAt: new Date('2026-02-01T00:00:00Z'), reason: 'keyCompromise' }],
      ['7f00000000000000000000000000c0de', { revokedAt: new Date('2026-02-02T00:00:00Z') }],
      ['80', { revokedAt: new Date('2026-02-03T00:00:00Z'), reason: 'cessationOfOperation' }],
    ]);
  });

  it('encodes a v2 CertificateList with AKI and CRL number extensions', () => {
    const der = forge.pem.decode(pem)[0]!.body;
    const list = forge.asn1.fromDer(der);
    const tbs = (list.value as forge.asn1.Asn1[])[0]!;
    const fields = tbs.value as forge.asn1.Asn1[];
    expect(forge.asn1.derToInteger(fields[0]!.value as string)).toBe(1);
    const extensions = (
      (fields[fields.length - 1]!.value as forge.asn1.Asn1[])[0]!.value as forge.asn1.Asn1[]
    ).map((e) => forge.asn1.derToOid((e.value as forge.asn1.Asn1[])[0]!.value as string));
    expect(extensions).toEqual(['2.5.29.35', '2.5.29.20']);
  });

  it('round-trips a CRL with exactly one entry', () => {
    const one = createCrl({
      issuer,
      revoked: [{ serialNumber: '01', revokedAt: T0 }],
      crlNumber: 5,
      thisUpdate: T0,
      nextUpdate,
    });
    expect([...parseCrl(one).revoked.keys()]).toEqual(['1']);
  });

  it('omits revokedCertificates when nothing is revoked (§5.1.2.6)', () => {
    const empty = createCrl({ issuer, revoked: [], crlNumber: 1, thisUpdate: T0, nextUpdate });
    const fields = (
      forge.asn1.fromDer(forge.pem.decode(empty)[0]!.body).value as forge.asn1.Asn1[]
    )[0]!.value as forge.asn1.Asn1[];
    expect(fields).toHaveLength(6); // version, signature, issuer, thisUpdate, nextUpdate, [0] extensions
    expect(parseCrl(empty).revoked.size).toBe(0);
  });

  it('uses GeneralizedTime from 2050 (§5.1.2.4)', () => {
    const far = createCrl({
      issuer,
      revoked: [],
      crlNumber: 2,
      thisUpdate: T0,
      nextUpdate: new Date('2050-01-01T00:00:00Z'),
    });
    expect(parseCrl(far).nextUpdate).toEqual(new Date('2050-01-01T00:00:00Z'));
  });

  it('verifies under the issuing CA while current', () => {
    expect(() => verifyCrl(crl, issuer.certificatePem, T0)).not.toThrow();
    expect(() =>
      verifyCrl(crl, issuer.certificatePem, new Date(nextUpdate.getTime() - 1)),
    ).not.toThrow();
  });

  it('is stale from nextUpdate on, and before thisUpdate', () => {
    expect(pkiError(() => verifyCrl(crl, issuer.certificatePem, nextUpdate)).code).toBe(
      'PKI_CRL_STALE',
    );
    expect(
      pkiError(() => verifyCrl(crl, issuer.certificatePem, new Date(T0.getTime() - 1))).code,
    ).toBe('PKI_CRL_STALE');
  });

  it('is refused under another CA: the root, or an unrelated issuing CA', () => {
    expect(pkiError(() => verifyCrl(crl, pki.ca.root.certificatePem, T0)).code).toBe(
      'PKI_CRL_INVALID',
    );
    const other = aTerminalPki().named('other').build();
    expect(pkiError(() => verifyCrl(crl, other.ca.issuing.certificatePem, T0)).code).toBe(
      'PKI_CRL_INVALID',
    );
  });

  it('is refused when signed by a key other than the issuer named in it', () => {
    const other = aTerminalPki().named('other').build();
    const forged = createCrl({
      issuer: {
        certificatePem: issuer.certificatePem,
        privateKeyPem: other.ca.issuing.privateKeyPem,
      },
      revoked: [],
      crlNumber: 3,
      thisUpdate: T0,
      nextUpdate,
    });
    expect(pkiError(() => verifyCrl(parseCrl(forged), issuer.certificatePem, T0)).code).toBe(
      'PKI_CRL_INVALID',
    );
  });

  it('is refused when any signed byte changes (an entry removed by hand)', () => {
    const der = Buffer.from(forge.pem.decode(pem)[0]!.body, 'binary');
    const at = der.indexOf(Buffer.from('7f00000000000000000000000000c0de', 'hex'));
    der[at + 15] ^= 0x01;
    expect(pkiError(() => verifyCrl(parseCrl(der), issuer.certificatePem, T0)).code).toBe(
      'PKI_CRL_INVALID',
    );
  });

  it.each([
    ['not PEM', 'hello'],
    ['a certificate', ''],
    [
      'truncated DER',
      Buffer.from(
        forge.pem.decode(
          createCrl({ issuer, revoked: [], crlNumber: 1, thisUpdate: T0, nextUpdate }),
        )[0]!.body,
        'binary',
      ).subarray(0, 40),
    ],
  ])('parse refuses %s', (_what, input) => {
    const value = input === '' ? pki.ca.issuing.certificatePem : input;
    expect(pkiError(() => parseCrl(value)).code).toBe('PKI_CRL_INVALID');
  });

  it('refuses bad arguments', () => {
    expect(() =>
      createCrl({ issuer, revoked: [], crlNumber: 1, thisUpdate: T0, nextUpdate: T0 }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'nextUpdate' }));
    expect(() =>
      createCrl({
        issuer,
        revoked: [{ serialNumber: 'xyz', revokedAt: T0 }],
        crlNumber: 1,
        thisUpdate: T0,
        nextUpdate,
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'serialNumber' }));
    expect(() =>
      createCrl({ issuer, revoked: [], crlNumber: -1, thisUpdate: T0, nextUpdate }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'crlNumber' }));
  });
});
