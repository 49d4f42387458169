export type FrameErrorCode =
  /** The length header announces more bytes than the link accepts; the connection is dropped. */
  | 'FRAME_TOO_LARGE'
  /** A length header of zero: a frame carries exactly one message, never none. */
  | 'EMPTY_FRAME'
  /** Encoding: a payload that does not fit the header or the configured maximum. */
  | 'PAYLOAD_TOO_LARGE';

/**
 * The only error the frame codec throws. `offset` is the position of the
 * offending length header in the byte stream received so far; `length` is
 * the length it announced (or the payload length, when encoding).
 */
export class FrameError extends Error {
  override readonly name = 'FrameError';

  constructor(
    readonly code: FrameErrorCode,
    message: string,
    readonly length: number,
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (length header at stream byte ${offset})`);
  }
}
