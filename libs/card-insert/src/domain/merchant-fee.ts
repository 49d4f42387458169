/**
 * The gateway's merchant fee: a flat rate in basis points of what is
 * captured (default 0). Rounded half up to the minor unit, at capture time.
 *
 * Refunds give the fee back pro rata: a refund of `r` out of a capture of
 * `c` with fee `f` returns floor(f * r / c); the refund that brings the
 * refunded total to the captured amount returns whatever fee is left, so
 * the fees given back always sum exactly to the fee taken. A void gives back
 * the whole fee still held.
 */
export const BASIS_POINTS = 10_000n;

export function captureFee(amountMinor: bigint, feeBasisPoints: number): bigint {
  if (!Number.isInteger(feeBasisPoints) || feeBasisPoints < 0 || feeBasisPoints > 10_000)
    throw new RangeError(`fee must be 0..10000 basis points, not ${feeBasisPoints}`);
  return (amountMinor * BigInt(feeBasisPoints) + BASIS_POINTS / 2n) / BASIS_POINTS;
}

/** The share of `fee` given back by refunding `refund` of `captured`, `refundedBefore` already refunded. */
export function refundFee(
  fee: bigint,
  captured: bigint,
  refundedBefore: bigint,
  feeReturnedBefore: bigint,
  refund: bigint,
): bigint {
  if (refundedBefore + refund === captured) return fee - feeReturnedBefore;
  return (fee * refund) / captured;
}
