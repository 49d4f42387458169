import fc from 'fast-check';
import { FUZZ_TIMEOUT_MS, fuzzParameters } from '@tillgate/testing';
import { FrameDecoder, encodeFrame } from './frame.codec';
import { FrameError } from './frame.error';

// The shared fuzz settings of every parser of untrusted bytes: fixed seed,
// 100,000 inputs per property unless FUZZ_RUNS says otherwise.
const parameters = fuzzParameters();
const TIMEOUT_MS = FUZZ_TIMEOUT_MS;

/** Cuts `stream` at the given points (modulo its length) into consecutive chunks. */
function chunk(stream: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, stream.length]) {
    chunks.push(stream.subarray(from, p));
    from = p;
  }
  return chunks;
}

interface Outcome {
  readonly frames: Uint8Array[];
  readonly error?: FrameError;
}

function decode(chunks: readonly Uint8Array[], limit: number): Outcome {
  const decoder = new FrameDecoder(limit);
  const frames: Uint8Array[] = [];
  for (const c of chunks) {
    try {
      decoder.push(c, (f) => frames.push(f));
    } catch (error) {
      if (error instanceof FrameError) return { frames, error };
      throw error; // anything else fails the property
    }
  }
  return { frames };
}

/** Mostly well-formed frames mixed with stray bytes and hostile headers (0, over the limit). */
const hostileStream = fc
  .array(
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 40 }).map((p) => Buffer.from(encodeFrame(p, 40))),
      fc.integer({ min: 0, max: 0xffff }).map((n) => Buffer.from([n >> 8, n & 0xff])),
      fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
    ),
    { maxLength: 8 },
  )
  .map((parts) => new Uint8Array(Buffer.concat(parts)));

const sameFrames = (a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean =>
  a.length === b.length && a.every((f, i) => Buffer.compare(f, b[i]) === 0);

describe('FrameDecoder fuzz (fixed seed)', () => {
  it(
    'yields exactly the encoded payloads, in order, however the stream is chunked',
    () => {
      fc.assert(
        fc.property(
          fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { maxLength: 6 }),
          fc.array(fc.nat(), { maxLength: 10 }),
          (payloads, cuts) => {
            const stream = Buffer.concat(payloads.map((p) => encodeFrame(p, 64)));
            const outcome = decode(chunk(stream, cuts), 64);
            return outcome.error === undefined && sameFrames(outcome.frames, payloads);
          },
        ),
        parameters,
      );
    },
    TIMEOUT_MS,
  );

  it(
    'on arbitrary bytes: only FrameError, no frame over the limit, the same outcome for any chunking',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.uint8Array({ maxLength: 256 }), hostileStream),
          fc.array(fc.nat(), { maxLength: 10 }),
          fc.integer({ min: 1, max: 300 }),
          (stream, cuts, limit) => {
            const whole = decode([stream], limit);
            const chunked = decode(chunk(stream, cuts), limit);
            return (
              sameFrames(whole.frames, chunked.frames) &&
              whole.error?.code === chunked.error?.code &&
              whole.error?.offset === chunked.error?.offset &&
              whole.frames.every((f) => f.length >= 1 && f.length <= limit)
            );
          },
        ),
        parameters,
      );
    },
    TIMEOUT_MS,
  );
});
