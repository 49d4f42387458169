import fc from 'fast-check';
import {
  constants,
  createHash,
  generateKeyPairSync,
  privateEncrypt,
  type KeyObject,
} from 'node:crypto';
import { concatBytes, fromHex } from '../shared/bytes';
import {
  issueIccPublicKeyCertificate,
  issueIssuerPublicKeyCertificate,
  signDynamicApplicationData,
  signStaticApplicationData,
  cdaDynamicData,
  ddaDynamicData,
} from '../card-profile/emv.signer';
import { byteMutation, mutate } from '@tillgate/testing';
import { expectOnly, fuzzParameters, fuzzRuns, FUZZ_TIMEOUT_MS } from '@tillgate/testing';
import { OdaError } from './oda.error';
import type { CaPublicKey } from './oda.types';
import {
  recoverIccPublicKeyCertificate,
  recoverIssuerPublicKeyCertificate,
  retrieveIccPublicKey,
  retrieveIssuerPublicKey,
} from './public-key.recovery';
import { bytesToBigInt, rsaRecover, type RsaPrivateKey } from './rsa';
import {
  verifyCda,
  verifyDynamicSignature,
  verifySignedStaticApplicationData,
} from './signed-data.verifier';
import { buildStaticDataToBeAuthenticated } from './static-data.builder';

// Fuzz target: certificate and signature recovery (Book 2 §5.3, §5.4, §6.4,
// §6.5.2, §6.6.2). Whatever a card sends, only OdaError may come out.
// Mutated plaintexts are re-signed (optionally re-hashed) so that the checks
// after the RSA step see hostile values too.

const isOdaError = (e: unknown): boolean => e instanceof OdaError;

interface TestKey {
  readonly object: KeyObject;
  readonly key: RsaPrivateKey;
}

function testKey(bits: number): TestKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 3 });
  const jwk = privateKey.export({ format: 'jwk' });
  const b = (s: string | undefined): Uint8Array =>
    new Uint8Array(Buffer.from(s ?? '', 'base64url'));
  return {
    object: privateKey,
    key: { modulus: b(jwk.n), exponent: b(jwk.e), privateExponent: b(jwk.d) },
  };
}

const ca = testKey(1024);
const issuer = testKey(896);
const icc = testKey(768);
const caPublicKey: CaPublicKey = {
  rid: fromHex('F000000001'),
  index: 1,
  modulus: ca.key.modulus,
  exponent: ca.key.exponent,
};
const pan = '4761739001010119';
const panBytes = fromHex(pan);
const staticData = buildStaticDataToBeAuthenticated({
  afl: fromHex('08010101'),
  records: [{ sfi: 1, record: 1, data: fromHex('70155A0847617390010101195F24034912319F0702FF00') }],
});
const today = { year: 2025, month: 5, day: 6 };
const un = fromHex('DEADBEEF');
const cid = fromHex('80');
const transactionData = fromHex(
  '000000001000000000000000015625050600DEADBEEF77129F2701809F360200419F10',
);

const issuerCert = issueIssuerPublicKeyCertificate({
  caKey: ca.key,
  issuerPublicKey: issuer.key,
  issuerIdentifier: '476173',
  expiry: '1249',
  serialNumber: fromHex('000001'),
});
const iccCert = issueIccPublicKeyCertificate({
  issuerKey: issuer.key,
  iccPublicKey: icc.key,
  pan,
  expiry: '1249',
  serialNumber: fromHex('000002'),
  staticDataToBeAuthenticated: staticData,
});
const ssad = signStaticApplicationData({
  issuerKey: issuer.key,
  dataAuthenticationCode: fromHex('DAC0'),
  staticDataToBeAuthenticated: staticData,
});
const ddaSignature = signDynamicApplicationData({
  iccKey: icc.key,
  iccDynamicData: ddaDynamicData(fromHex('0102030405060708')),
  terminalDynamicData: un,
});
const cdaSignature = signDynamicApplicationData({
  iccKey: icc.key,
  iccDynamicData: cdaDynamicData({
    iccDynamicNumber: fromHex('0102030405060708'),
    cryptogramInformationData: cid,
    applicationCryptogram: fromHex('1122334455667788'),
    transactionData,
  }),
  terminalDynamicData: un,
});

/** Inputs the card or the terminal supplies next to the signed data, varied by the fuzzer. */
interface Aux {
  readonly remainder: Uint8Array;
  readonly exponent: Uint8Array;
  readonly pan: Uint8Array;
  readonly today: { year: number; month: number; day: number };
  readonly extra: Uint8Array;
}

type Target = 'issuer' | 'icc' | 'ssad' | 'dda' | 'cda';

const TARGETS: Record<
  Target,
  {
    signer: TestKey;
    verifier: TestKey;
    signed: Uint8Array;
    remainder: Uint8Array;
    extra: Uint8Array;
  }
> = {
  issuer: {
    signer: ca,
    verifier: ca,
    signed: issuerCert.certificate,
    remainder: issuerCert.remainder,
    extra: new Uint8Array(),
  },
  icc: {
    signer: issuer,
    verifier: issuer,
    signed: iccCert.certificate,
    remainder: iccCert.remainder,
    extra: staticData,
  },
  ssad: {
    signer: issuer,
    verifier: issuer,
    signed: ssad,
    remainder: new Uint8Array(),
    extra: staticData,
  },
  dda: { signer: icc, verifier: icc, signed: ddaSignature, remainder: new Uint8Array(), extra: un },
  cda: { signer: icc, verifier: icc, signed: cdaSignature, remainder: new Uint8Array(), extra: un },
};

function verify(target: Target, signed: Uint8Array, aux: Aux): void {
  switch (target) {
    case 'issuer':
      retrieveIssuerPublicKey({
        caPublicKey,
        certificate: signed,
        remainder: aux.remainder,
        exponent: aux.exponent,
        applicationPan: aux.pan,
        today: aux.today,
        isRevoked: () => false,
      });
      return;
    case 'icc':
      retrieveIccPublicKey({
        issuerPublicKey: issuer.key,
        certificate: signed,
        remainder: aux.remainder,
        exponent: aux.exponent,
        staticDataToBeAuthenticated: aux.extra,
        applicationPan: aux.pan,
        today: aux.today,
      });
      return;
    case 'ssad':
      verifySignedStaticApplicationData({
        issuerPublicKey: issuer.key,
        signedStaticApplicationData: signed,
        staticDataToBeAuthenticated: aux.extra,
      });
      return;
    case 'dda':
      verifyDynamicSignature({
        iccPublicKey: icc.key,
        signedDynamicApplicationData: signed,
        terminalDynamicData: aux.extra,
      });
      return;
    case 'cda':
      verifyCda({
        iccPublicKey: icc.key,
        signedDynamicApplicationData: signed,
        unpredictableNumber: aux.extra,
        cryptogramInformationData: cid,
        transactionData,
      });
      return;
  }
}

/** What the hash covers after the recovered data, per procedure. */
function hashTail(target: Target, aux: Aux): Uint8Array[] {
  if (target === 'issuer') return [aux.remainder, aux.exponent];
  if (target === 'icc') return [aux.remainder, aux.exponent, aux.extra];
  return [aux.extra];
}

/** Mutates the recovered plaintext, optionally fixes its hash, and signs it again. */
function resign(
  target: Target,
  mutations: Parameters<typeof mutate>[1],
  rehash: boolean,
  aux: Aux,
): Uint8Array {
  const { signer, signed } = TARGETS[target];
  const n = signer.key.modulus;
  const plain = mutate(rsaRecover(signer.key, signed, 'fuzz'), mutations);
  const fitted = new Uint8Array(n.length);
  fitted.set(plain.subarray(0, n.length));
  if (rehash && fitted.length > 22) {
    const body = fitted.subarray(1, fitted.length - 21);
    fitted.set(
      createHash('sha1')
        .update(concatBytes(body, ...hashTail(target, aux)))
        .digest(),
      fitted.length - 21,
    );
  }
  if (bytesToBigInt(fitted) >= bytesToBigInt(n)) fitted[0] = 0x6a;
  return new Uint8Array(
    privateEncrypt({ key: signer.object, padding: constants.RSA_NO_PADDING }, fitted),
  );
}

const target = fc.constantFrom<Target>('issuer', 'icc', 'ssad', 'dda', 'cda');

const aux = (t: Target): fc.Arbitrary<Aux> =>
  fc.record({
    remainder: fc.oneof(
      { weight: 4, arbitrary: fc.constant(TARGETS[t].remainder) },
      fc.uint8Array({ maxLength: 40 }),
    ),
    exponent: fc.oneof(
      { weight: 4, arbitrary: fc.constant(fromHex('03')) },
      fc.constantFrom(fromHex('010001'), fromHex(''), fromHex('0003')),
      fc.uint8Array({ maxLength: 4 }),
    ),
    pan: fc.oneof(
      { weight: 4, arbitrary: fc.constant(panBytes) },
      fc.constantFrom(fromHex('476173900101011F'), fromHex('5413330089020011'), fromHex('')),
      fc.uint8Array({ maxLength: 12 }),
    ),
    today: fc.oneof(
      { weight: 4, arbitrary: fc.constant(today) },
      fc.record({
        year: fc.integer({ min: 1990, max: 2100 }),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 31 }),
      }),
    ),
    extra: fc.oneof(
      { weight: 4, arbitrary: fc.constant(TARGETS[t].extra) },
      fc.uint8Array({ maxLength: 64 }),
    ),
  });

/** Random moduli, half of them shaped like usable keys (odd, 64-248 bytes, no leading zero). */
const modulus = fc.oneof(
  fc.uint8Array({ maxLength: 260 }),
  fc.uint8Array({ minLength: 64, maxLength: 248 }).map((m) => {
    m[0] |= 0x80;
    m[m.length - 1] |= 0x01;
    return m;
  }),
);
const exponent = fc.oneof(
  fc.constantFrom(fromHex('03'), fromHex('010001')),
  fc.uint8Array({ maxLength: 4 }),
);

describe(`certificate and signature recovery fuzz (${fuzzRuns()} inputs per property)`, () => {
  it(
    'random signed data, of the right length or not: only OdaError',
    () => {
      fc.assert(
        fc.property(
          target.chain((t) =>
            fc.tuple(
              fc.constant(t),
              fc.oneof(
                fc.uint8Array({
                  minLength: TARGETS[t].verifier.key.modulus.length,
                  maxLength: TARGETS[t].verifier.key.modulus.length,
                }),
                fc.uint8Array({ maxLength: 260 }),
              ),
              aux(t),
            ),
          ),
          ([t, signed, a]) => {
            expectOnly(isOdaError, () => verify(t, signed, a));
          },
        ),
        fuzzParameters(),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'random keys (modulus, exponent) recovering random certificates: only OdaError',
    () => {
      fc.assert(
        fc.property(
          modulus,
          exponent,
          fc.uint8Array({ maxLength: 260 }),
          (modulus, exponent, signed) => {
            expectOnly(isOdaError, () =>
              recoverIssuerPublicKeyCertificate({ modulus, exponent }, signed),
            );
            expectOnly(isOdaError, () =>
              recoverIccPublicKeyCertificate({ modulus, exponent }, signed),
            );
          },
        ),
        fuzzParameters(),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'mutated recovered data, re-signed with and without a fixed hash: only OdaError',
    () => {
      const seen = new Set<string>();
      fc.assert(
        fc.property(
          target.chain((t) =>
            fc.tuple(
              fc.constant(t),
              fc.array(byteMutation, { minLength: 1, maxLength: 4 }),
              fc.boolean(),
              aux(t),
            ),
          ),
          ([t, mutations, rehash, a]) => {
            const signed = resign(t, mutations, rehash, a);
            const error = expectOnly(isOdaError, () => verify(t, signed, a));
            seen.add(error instanceof OdaError ? error.code : 'ACCEPTED');
          },
        ),
        fuzzParameters(),
      );
      // The fuzzer must reach the checks behind the RSA step, not only the trailer.
      if (fuzzRuns() >= 10_000) {
        expect([...seen]).toEqual(
          expect.arrayContaining([
            'RECOVERED_DATA_TRAILER',
            'RECOVERED_DATA_HEADER',
            'DATA_FORMAT',
            'HASH_ALGORITHM',
            'HASH_MISMATCH',
            'PUBLIC_KEY_LENGTH',
            'ISSUER_IDENTIFIER_MISMATCH',
            'PAN_MISMATCH',
            'CERTIFICATE_EXPIRED',
            'CERTIFICATE_DATE_INVALID',
            'DYNAMIC_DATA_FORMAT',
            'ACCEPTED',
          ]),
        );
      }
    },
    FUZZ_TIMEOUT_MS,
  );
});
