import { createPublicKey, sign, verify } from 'node:crypto';
import forge from 'node-forge';
import { PkiError } from './pki-error';
import { CertificateAuthority, normalizeSerial } from './x509';

const { asn1 } = forge;
const OID_SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const OID_CRL_NUMBER = '2.5.29.20';
const OID_AUTHORITY_KEY_ID = '2.5.29.35';
const OID_REASON_CODE = '2.5.29.21';

/** RFC 5280 §5.3.1 CRLReason (value 7 is unused). */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

export interface RevokedCertificate {
  /** Hex serial number of the revoked certificate. */
  readonly serialNumber: string;
  readonly revokedAt: Date;
  readonly reason?: RevocationReason;
}

export interface CreateCrlOptions {
  /** The CA that issued the revoked certificates (the issuing CA for terminals). */
  readonly issuer: CertificateAuthority;
  readonly revoked: readonly RevokedCertificate[];
  /** Monotonically increasing per issuer (RFC 5280 §5.2.3). */
  readonly crlNumber: bigint | number;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
}

/**
 * Builds and signs a version 2 CRL (RFC 5280 §5.1) with node-forge's ASN.1
 * writer, since forge has no CRL support: CRL number and authority key
 * identifier extensions (§5.2.1, §5.2.3), a reasonCode entry extension when a
 * reason is given (§5.3.1), SHA-256 with RSA. Returns PEM ('X509 CRL').
 */
export function createCrl(options: CreateCrlOptions): string {
  if (!(options.nextUpdate > options.thisUpdate)) {
    throw new PkiError('INVALID_ARGUMENT', 'nextUpdate must be after thisUpdate', 'nextUpdate');
  }
  const crlNumber = BigInt(options.crlNumber);
  if (crlNumber < 0n || crlNumber >= 1n << 159n) {
    throw new PkiError(
      'INVALID_ARGUMENT',
      'CRL number must be a non-negative integer of at most 20 octets',
      'crlNumber',
    );
  }
  const issuerCert = forge.pki.certificateFromPem(options.issuer.certificatePem);
  const algorithm = algorithmIdentifier();

  const entries = options.revoked.map((entry) => {
    const fields = [
      integer(BigInt('0x' + normalizeSerial(entry.serialNumber))),
      time(entry.revokedAt),
    ];
    if (entry.reason !== undefined) {
      const reason = asn1.create(
        asn1.Class.UNIVERSAL,
        asn1.Type.ENUMERATED,
        false,
        String.fromCharCode(REVOCATION_REASONS[entry.reason]),
      );
      fields.push(seq([extension(OID_REASON_CODE, reason)]));
    }
    return seq(fields);
  });

  const authorityKeyId = seq([
    asn1.create(
      asn1.Class.CONTEXT_SPECIFIC,
      0,
      false,
      issuerCert.generateSubjectKeyIdentifier().getBytes(),
    ),
  ]);
  const tbs = seq([
    integer(1n), // v2
    algorithm,
    forge.pki.distinguishedNameToAsn1(issuerCert.subject),
    time(options.thisUpdate),
    time(options.nextUpdate),
    // §5.1.2.6: absent, not empty, when nothing is revoked.
    ...(entries.length > 0 ? [seq(entries)] : []),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      seq([
        extension(OID_AUTHORITY_KEY_ID, authorityKeyId),
        extension(OID_CRL_NUMBER, integer(crlNumber)),
      ]),
    ]),
  ]);
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, options.issuer.privateKeyPem.expose());
  const crl = seq([
    tbs,
    algorithm,
    asn1.create(
      asn1.Class.UNIVERSAL,
      asn1.Type.BITSTRING,
      false,
      '\x00' + signature.toString('binary'),
    ),
  ]);
  return forge.pem.encode({ type: 'X509 CRL', body: asn1.toDer(crl).getBytes() });
}

export interface CertificateRevocationList {
  readonly issuerDer: Buffer;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  readonly crlNumber?: bigint;
  /** By normalized serial number. */
  readonly revoked: ReadonlyMap<
    string,
    { readonly revokedAt: Date; readonly reason?: RevocationReason }
  >;
  readonly tbsDer: Buffer;
  readonly signatureAlgorithm: string;
  readonly signature: Buffer;
}

/** Parses a PEM or DER CRL. Structure only: `verifyCrl` checks who signed it and when. */
export function parseCrl(crl: string | Buffer): CertificateRevocationList {
  try {
    const der = typeof crl === 'string' ? pemBody(crl) : crl;
    const outer = readTlv(der, 0);
    if (outer.tag !== 0x30 || outer.end !== der.length) throw new Error('not a SEQUENCE');
    const tbsTlv = readTlv(der, outer.contentStart);
    const tbsDer = der.subarray(tbsTlv.start, tbsTlv.end);

    // The typings only know the boolean form; forge also takes options, and the signature must stay raw bits.
    const fromDer = asn1.fromDer as unknown as (
      bytes: forge.util.ByteBuffer,
      options: { strict: boolean; decodeBitStrings: boolean },
    ) => forge.asn1.Asn1;
    const root = fromDer(forge.util.createBuffer(der.toString('binary')), {
      strict: true,
      decodeBitStrings: false,
    });
    const [tbs, algorithm, signatureBits] = children(root, 3);
    const fields = children(tbs);
    const take = (): forge.asn1.Asn1 => {
      const next = fields.shift();
      if (!next) throw new Error('TBSCertList ends early');
      return next;
    };
    if (fields[0]?.type === asn1.Type.INTEGER) {
      if (asn1.derToInteger(take().value as string) !== 1) throw new Error('not a v2 CRL');
    }
    take(); // inner signature algorithm; the outer one is checked by verifyCrl
    const issuer = take();
    const thisUpdate = decodeTime(take());
    const nextUpdate = fields[0] && isTime(fields[0]) ? decodeTime(take()) : undefined;
    const revoked = new Map<string, { revokedAt: Date; reason?: RevocationReason }>();
    if (fields[0]?.tagClass === asn1.Class.UNIVERSAL && fields[0].type === asn1.Type.SEQUENCE) {
      for (const entry of children(take(), 1)) {
        const [serial, date, extensions] = children(entry);
        const reasonValue = extensions ? findExtension(extensions, OID_REASON_CODE) : undefined;
        const reason = reasonValue
          ? reasonName((reasonValue.value as string).charCodeAt(0))
          : undefined;
        revoked.set(
          normalizeSerial(Buffer.from(serial.value as string, 'binary').toString('hex')),
          {
            revokedAt: decodeTime(date),
            ...(reason ? { reason } : {}),
          },
        );
      }
    }
    let crlNumber: bigint | undefined;
    if (fields[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC && fields[0].type === 0) {
      const number = findExtension(children(take(), 1)[0], OID_CRL_NUMBER);
      if (number) {
        crlNumber = BigInt(
          '0x' + (Buffer.from(number.value as string, 'binary').toString('hex') || '0'),
        );
      }
    }
    const algorithmOid = asn1.derToOid(children(algorithm, 1)[0].value as string);
    const bits = Buffer.from(signatureBits.value as string, 'binary');
    return {
      issuerDer: Buffer.from(asn1.toDer(issuer).getBytes(), 'binary'),
      thisUpdate,
      ...(nextUpdate ? { nextUpdate } : {}),
      ...(crlNumber !== undefined ? { crlNumber } : {}),
      revoked,
      tbsDer: Buffer.from(tbsDer),
      signatureAlgorithm: algorithmOid,
      signature: bits.subarray(1),
    };
  } catch (error) {
    if (error instanceof PkiError) throw error;
    throw new PkiError(
      'PKI_CRL_INVALID',
      'CRL cannot be parsed (expected an RFC 5280 v2 CRL)',
      'crl',
    );
  }
}

/**
 * Accepts the CRL only if it comes from `issuerCertificatePem` (same issuer
 * name, SHA-256/RSA signature verifying under its key) and is current at
 * `now` (thisUpdate <= now < nextUpdate; a CRL without nextUpdate is refused).
 */
export function verifyCrl(
  crl: CertificateRevocationList,
  issuerCertificatePem: string,
  now: Date,
): void {
  const issuer = forge.pki.certificateFromPem(issuerCertificatePem);
  const issuerName = Buffer.from(
    asn1.toDer(forge.pki.distinguishedNameToAsn1(issuer.subject)).getBytes(),
    'binary',
  );
  if (!issuerName.equals(crl.issuerDer)) {
    throw new PkiError('PKI_CRL_INVALID', 'CRL is not issued by the terminal issuing CA', 'crl');
  }
  const publicKey = createPublicKey(forge.pki.publicKeyToPem(issuer.publicKey));
  if (
    crl.signatureAlgorithm !== OID_SHA256_WITH_RSA ||
    !verify('sha256', crl.tbsDer, publicKey, crl.signature)
  ) {
    throw new PkiError(
      'PKI_CRL_INVALID',
      'CRL signature does not verify under the issuing CA key',
      'crl',
    );
  }
  if (now < crl.thisUpdate || !crl.nextUpdate || now >= crl.nextUpdate) {
    throw new PkiError(
      'PKI_CRL_STALE',
      'CRL is not current (outside thisUpdate..nextUpdate); revocation status unknown',
      'crl',
    );
  }
}

/** The children of a constructed node, refusing fewer than `atLeast`. */
function children(node: forge.asn1.Asn1, atLeast = 2): forge.asn1.Asn1[] {
  if (!Array.isArray(node.value) || node.value.length < atLeast)
    throw new Error('unexpected ASN.1 structure');
  return [...node.value];
}

function seq(value: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, value);
}

function algorithmIdentifier(): forge.asn1.Asn1 {
  return seq([
    asn1.create(
      asn1.Class.UNIVERSAL,
      asn1.Type.OID,
      false,
      asn1.oidToDer(OID_SHA256_WITH_RSA).getBytes(),
    ),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
  ]);
}

function extension(oid: string, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return seq([
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(value).getBytes()),
  ]);
}

/** DER INTEGER of a non-negative value: minimal big-endian bytes, a 00 prefix when the top bit is set. */
function integer(value: bigint): forge.asn1.Asn1 {
  let hex = value.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = '00' + hex;
  return asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.INTEGER,
    false,
    Buffer.from(hex, 'hex').toString('binary'),
  );
}

// RFC 5280 §5.1.2.4: UTCTime through 2049, GeneralizedTime from 2050.
function time(date: Date): forge.asn1.Asn1 {
  return date.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(date))
    : asn1.create(
        asn1.Class.UNIVERSAL,
        asn1.Type.GENERALIZEDTIME,
        false,
        asn1.dateToGeneralizedTime(date),
      );
}

function isTime(node: forge.asn1.Asn1): boolean {
  return (
    node.tagClass === asn1.Class.UNIVERSAL &&
    (node.type === asn1.Type.UTCTIME || node.type === asn1.Type.GENERALIZEDTIME)
  );
}

function decodeTime(node: forge.asn1.Asn1): Date {
  if (!isTime(node)) throw new Error('expected a time');
  return node.type === asn1.Type.UTCTIME
    ? asn1.utcTimeToDate(node.value as string)
    : asn1.generalizedTimeToDate(node.value as string);
}

function findExtension(extensions: forge.asn1.Asn1, oid: string): forge.asn1.Asn1 | undefined {
  for (const ext of children(extensions, 1)) {
    const parts = children(ext);
    if (asn1.derToOid(parts[0].value as string) === oid) {
      return asn1.fromDer(parts[parts.length - 1].value as string);
    }
  }
  return undefined;
}

function reasonName(code: number): RevocationReason | undefined {
  return (Object.keys(REVOCATION_REASONS) as RevocationReason[]).find(
    (name) => REVOCATION_REASONS[name] === code,
  );
}

function pemBody(pem: string): Buffer {
  const messages = forge.pem.decode(pem);
  const crl = messages.find((m) => m.type === 'X509 CRL');
  if (!crl) throw new Error('no X509 CRL block');
  return Buffer.from(crl.body, 'binary');
}

/** A DER TLV header (short or long definite length), to slice the signed TBSCertList bytes exactly. */
function readTlv(
  der: Buffer,
  start: number,
): { tag: number; start: number; contentStart: number; end: number } {
  const tag = der[start];
  let length = der[start + 1];
  let contentStart = start + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new Error('unsupported length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + 2 + i];
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > der.length) throw new Error('truncated');
  return { tag, start, contentStart, end };
}
