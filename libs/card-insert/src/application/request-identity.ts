import { createHash } from 'node:crypto';
import type { cardInsertV1 } from '@tillgate/contracts';

/**
 * A UUID (RFC 9562 version 8: custom, here SHA-256 based) derived from the
 * request identity (terminal id, STAN, client request id). The same request
 * sent again lands on the same id, hence the same stream, in any process.
 * The UUID's dashes keep every digit run under 13 characters, so no id ever
 * looks like a PAN to the event store's card-data guard.
 */
export function requestUuid(scope: string, header: cardInsertV1.TerminalRequestHeader): string {
  const digest = createHash('sha256')
    .update(
      `tillgate.card-insert/${scope}\u0000${header.terminalId}\u0000${header.stan}\u0000${header.clientRequestId}`,
    )
    .digest();
  return uuidFrom(digest);
}

/** A version-8 UUID from the first 16 bytes of a digest. */
export function uuidFrom(digest: Buffer): string {
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x80;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A derived id, e.g. the capture of a completed sale. */
export function derivedUuid(parent: string, purpose: string): string {
  return uuidFrom(createHash('sha256').update(`${parent}\u0000${purpose}`).digest());
}

/**
 * SHA-256 of the request without its `authentication` (the MAC differs
 * between copies only if the KSN does), base64url: hex could hold a run of
 * 13+ digits that the card-data guard would take for a PAN.
 */
export function requestFingerprint(encodedWithoutAuthentication: Uint8Array): string {
  return `sha256:${createHash('sha256').update(encodedWithoutAuthentication).digest('base64url')}`;
}

/**
 * Field 37, 12 characters, unique per payment: base 36 of the payment id's
 * hash, upper case (ISO 8583 an 12).
 */
export function rrnFor(paymentId: string): string {
  const digest = createHash('sha256').update(`rrn\u0000${paymentId}`).digest();
  return BigInt(`0x${digest.subarray(0, 8).toString('hex')}`)
    .toString(36)
    .toUpperCase()
    .padStart(12, '0')
    .slice(-12);
}
