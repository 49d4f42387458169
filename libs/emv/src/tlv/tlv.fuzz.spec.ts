import fc from 'fast-check';
import { fromHex } from '../shared/bytes';
import { parseDol } from '../dol/dol.codec';
import vectors from '../test-data/tlv.json';
import pyemv from '../test-data/tlv-pyemv.json';
import { mutationsOf } from '@tillgate/testing';
import { expectOnly, fuzzParameters, fuzzRuns, FUZZ_TIMEOUT_MS } from '@tillgate/testing';
import { decodeSingleTlv, decodeTlv, encodeTlv, scanTlv } from './tlv.codec';
import { TlvError } from './tlv.error';
import type { TlvPadding } from './tlv.types';

// Fuzz target: every decoder of card bytes in tlv/ and dol/. Any input may
// only return or throw TlvError; whatever decodes must re-encode to bytes
// that decode to the same tree.

const isTlvError = (e: unknown): boolean => e instanceof TlvError;

const SEEDS = [
  ...vectors.vectors.map((v) => fromHex(v.tlv_hex)),
  ...pyemv.decode.map((v) => fromHex(v.tlv_hex)),
  fromHex(vectors.dol_vectors[0].dol_hex),
  fromHex('6F1A840E315041592E5359532E4444463031A5088801025F2D02656E'),
  fromHex('770E9F2701809F360200419F2608C3A1B2D4E5F60718'),
];

function exercise(bytes: Uint8Array, padding: TlvPadding, maxDepth: number): void {
  expectOnly(isTlvError, () => {
    const nodes = decodeTlv(bytes, { padding, maxDepth });
    const again = decodeTlv(encodeTlv(nodes), { padding, maxDepth });
    expect(again).toEqual(nodes);
  });
  expectOnly(isTlvError, () => scanTlv(bytes, { padding }));
  expectOnly(isTlvError, () => decodeSingleTlv(bytes, { padding, maxDepth }));
  expectOnly(isTlvError, () => parseDol(bytes));
}

const options = fc.record({
  padding: fc.constantFrom<TlvPadding>('emv', 'iso7816', 'none'),
  maxDepth: fc.integer({ min: 1, max: 10 }),
});

describe(`TLV and DOL decoders fuzz (${fuzzRuns()} inputs per property)`, () => {
  it(
    'random bytes: only TlvError, and decode(encode(decode(x))) = decode(x)',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), options, (bytes, o) =>
          exercise(bytes, o.padding, o.maxDepth),
        ),
        fuzzParameters(),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'mutations of valid EMV data: only TlvError, and stable re-encoding',
    () => {
      fc.assert(
        fc.property(mutationsOf(SEEDS), options, (bytes, o) =>
          exercise(bytes, o.padding, o.maxDepth),
        ),
        fuzzParameters(),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
