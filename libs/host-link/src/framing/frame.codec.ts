import { FrameError } from './frame.error';

/** Bytes of the length header: an unsigned 16-bit big-endian count of the payload bytes that follow. */
export const FRAME_HEADER_LENGTH = 2;

/** The most a 2-byte header can announce. */
export const MAX_FRAME_LENGTH = 0xffff;

/**
 * Default limit on one frame's payload. An ACQUIRER_SPEC message with every
 * field at its maximum is about 1 KB; anything far beyond is a broken or
 * hostile peer, and buffering it would only cost memory.
 */
export const DEFAULT_MAX_FRAME_LENGTH = 8192;

function checkMaxFrameLength(maxFrameLength: number): void {
  if (
    !Number.isInteger(maxFrameLength) ||
    maxFrameLength < 1 ||
    maxFrameLength > MAX_FRAME_LENGTH
  ) {
    throw new RangeError(`maxFrameLength must be an integer 1-${MAX_FRAME_LENGTH}`);
  }
}

/** Header + payload. The header counts the payload only, not itself. */
export function encodeFrame(
  payload: Uint8Array,
  maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH,
): Buffer {
  checkMaxFrameLength(maxFrameLength);
  if (payload.length === 0) {
    throw new FrameError('EMPTY_FRAME', 'a frame must carry a message', 0);
  }
  if (payload.length > maxFrameLength) {
    throw new FrameError(
      'PAYLOAD_TOO_LARGE',
      `payload of ${payload.length} bytes exceeds the ${maxFrameLength}-byte frame limit`,
      payload.length,
    );
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_LENGTH + payload.length);
  frame.writeUInt16BE(payload.length, 0);
  frame.set(payload, FRAME_HEADER_LENGTH);
  return frame;
}

const EMPTY = new Uint8Array(0);

/**
 * Splits a TCP byte stream into frames, whatever the chunking: a header or a
 * payload split across reads, several frames in one read. A bad header makes
 * `push` throw a {@link FrameError}; the decoder then stays failed (every
 * later `push` throws the same error), because after a bad header the frame
 * boundaries are lost and the connection must be dropped.
 */
export class FrameDecoder {
  /** The start of an incomplete frame, kept for the next push. */
  private buffered: Uint8Array = EMPTY;
  /** Stream offset of `buffered[0]`. */
  private consumed = 0;
  private failure: FrameError | undefined;

  constructor(readonly maxFrameLength: number = DEFAULT_MAX_FRAME_LENGTH) {
    checkMaxFrameLength(maxFrameLength);
  }

  /**
   * Feeds received bytes and calls `onFrame` with every payload they
   * complete, in stream order (copies, never views of `chunk`). At a bad
   * header it throws, after delivering the frames before it.
   */
  push(chunk: Uint8Array, onFrame: (payload: Uint8Array) => void): void {
    if (this.failure) throw this.failure;
    // Usually nothing is buffered: frames are read from the chunk itself, and
    // only an incomplete frame at its end is copied to be kept.
    const input = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    let at = 0;
    try {
      while (input.length - at >= FRAME_HEADER_LENGTH) {
        const length = (input[at] << 8) | input[at + 1];
        if (length === 0 || length > this.maxFrameLength) {
          this.failure =
            length === 0
              ? new FrameError('EMPTY_FRAME', 'zero-length frame', 0, this.consumed + at)
              : new FrameError(
                  'FRAME_TOO_LARGE',
                  `frame of ${length} bytes exceeds the ${this.maxFrameLength}-byte limit`,
                  length,
                  this.consumed + at,
                );
          throw this.failure;
        }
        const end = at + FRAME_HEADER_LENGTH + length;
        if (end > input.length) break;
        const payload = new Uint8Array(input.subarray(at + FRAME_HEADER_LENGTH, end));
        at = end;
        onFrame(payload);
      }
    } finally {
      this.buffered =
        this.failure || at === input.length
          ? EMPTY
          : input === chunk
            ? new Uint8Array(chunk.subarray(at))
            : input.subarray(at);
      this.consumed += at;
    }
  }

  /** Bytes of an incomplete frame waiting for the rest. */
  get bufferedBytes(): number {
    return this.buffered.length;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }
}
