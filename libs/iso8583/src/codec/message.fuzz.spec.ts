import fc from 'fast-check';
import vectors from '../test-data/iso8583.json';
import { anAcquirerMessage } from '../test-data/acquirer-message.builder';
import {
  MOOV_PACK_UNPACK_SPEC,
  MOOV_TEST_SPEC,
  PYISO8583_DEFAULT_ASCII,
} from '../test-data/vector-specs';
import { ACQUIRER_SPEC } from '../spec/acquirer.spec-def';
import type { MessageSpec } from '../spec/field-spec.types';
import { BCD_TEST_SPEC } from '../testing/bcd-test.spec-def';
import { mutationsOf } from '@tillgate/testing';
import { expectOnly, fuzzParameters, fuzzRuns, FUZZ_TIMEOUT_MS } from '@tillgate/testing';
import { validMessage } from '../testing/message.arbitrary';
import { expectSameMessage } from '../testing/same-message';
import { Iso8583Error } from './iso8583.error';
import { pack, unpack } from './message.codec';

// Fuzz target: unpack. Any input may only return or throw Iso8583Error; what
// unpacks must pack again into bytes that unpack to the same message.

const isIsoError = (e: unknown): boolean => e instanceof Iso8583Error;
const SPECS: readonly MessageSpec[] = [
  ACQUIRER_SPEC,
  BCD_TEST_SPEC,
  MOOV_PACK_UNPACK_SPEC,
  MOOV_TEST_SPEC,
  PYISO8583_DEFAULT_ASCII,
];
const bytesOf = (hexOrAscii: { message_hex?: string; message_ascii?: string }): Uint8Array =>
  new Uint8Array(
    hexOrAscii.message_hex
      ? Buffer.from(hexOrAscii.message_hex, 'hex')
      : Buffer.from(hexOrAscii.message_ascii!, 'latin1'),
  );

/** Valid messages to mutate, each with the spec it was built for. */
const SEEDS: readonly { spec: MessageSpec; bytes: Uint8Array }[] = [
  ...['0100', '0110', '0200', '0210', '0400', '0420', '0800'].map((mti) => ({
    spec: ACQUIRER_SPEC,
    bytes: pack(anAcquirerMessage(mti).build(), ACQUIRER_SPEC),
  })),
  // Field 52 as an AES (ISO 9564 format 4) PIN block: 16 bytes behind its LL prefix.
  {
    spec: ACQUIRER_SPEC,
    bytes: pack(
      anAcquirerMessage('0200').with(52, new Uint8Array(16).fill(0xa5)).build(),
      ACQUIRER_SPEC,
    ),
  },
  ...fc
    .sample(validMessage(BCD_TEST_SPEC), { seed: 7, numRuns: 20 })
    .map((m) => ({ spec: BCD_TEST_SPEC, bytes: pack(m, BCD_TEST_SPEC) })),
  { spec: MOOV_PACK_UNPACK_SPEC, bytes: bytesOf(vectors.vectors[1]) },
  { spec: MOOV_TEST_SPEC, bytes: bytesOf(vectors.vectors[0]) },
  ...vectors.vectors.slice(2).map((v) => ({ spec: PYISO8583_DEFAULT_ASCII, bytes: bytesOf(v) })),
];

function exercise(bytes: Uint8Array, spec: MessageSpec): void {
  expectOnly(isIsoError, () => {
    const message = unpack(bytes, spec);
    expectSameMessage(unpack(pack(message, spec), spec), message);
  });
}

describe(`ISO 8583 unpack fuzz (${fuzzRuns()} inputs per property)`, () => {
  it(
    'unpack(pack(m)) equals m for generated valid messages of every spec',
    () => {
      fc.assert(
        fc.property(
          fc
            .constantFrom(...SPECS)
            .chain((spec) => fc.tuple(fc.constant(spec), validMessage(spec))),
          ([spec, message]) => {
            expectSameMessage(unpack(pack(message, spec), spec), message);
          },
        ),
        fuzzParameters(),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'random bytes, bare or behind a valid MTI: only Iso8583Error',
    () => {
      const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
      const prefix = fc.oneof(
        fc.constant(new Uint8Array()),
        fc.constantFrom('0100', '0200', '0210', '0400', '0800').map(ascii),
        fc.constantFrom('0200', '0800').map((m) => new Uint8Array(Buffer.from(m, 'hex'))),
      );
      fc.assert(
        fc.property(
          prefix,
          fc.uint8Array({ maxLength: 600 }),
          fc.constantFrom(...SPECS),
          (head, body, spec) => {
            exercise(new Uint8Array([...head, ...body]), spec);
          },
        ),
        fuzzParameters(),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'mutations of valid messages: only Iso8583Error, and stable re-packing',
    () => {
      const seeds = fc
        .constantFrom(...SEEDS)
        .chain(({ spec, bytes }) => fc.tuple(fc.constant(spec), mutationsOf([bytes])));
      fc.assert(
        fc.property(seeds, ([spec, bytes]) => {
          exercise(bytes, spec);
        }),
        fuzzParameters(),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
