export type EmvDataErrorCode =
  /** A fixed-layout data element (TVR, TSI, CVM List, AFL...) of the wrong length. */
  | 'INVALID_LENGTH'
  /** A value that breaks the element's coding rules (e.g. AFL SFI 0, last record before first). */
  | 'INVALID_VALUE';

/** Thrown when a fixed-layout EMV data element cannot be decoded; `tag` names the element. */
export class EmvDataError extends Error {
  override readonly name = 'EmvDataError';

  constructor(
    readonly code: EmvDataErrorCode,
    readonly tag: string,
    message: string,
  ) {
    super(`${tag}: ${message}`);
  }
}
