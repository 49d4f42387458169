import { InvalidEvent } from './event-store.errors';
import { isStreamId } from './stream-id';
import type { ExpectedVersion, NewEvent } from './event.types';

/**
 * Events one append may carry: enough for a ledger batch of 8,190 transfers
 * (TigerBeetle's batch size) plus the reservations it expires, small enough
 * to bound one transaction. Postgres inserts them through unnest arrays and
 * SQLite in chunks of 500 rows, so no statement hits a parameter limit.
 */
export const MAX_EVENTS_PER_APPEND = 10_000;
/** Keeps a record well under Kafka's default 1 MiB message limit once enveloped. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// A fully qualified protobuf message name: lower-case package, PascalCase message.
const PROTO_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.[A-Z][A-Za-z0-9]*(\.[A-Z][A-Za-z0-9]*)*$/;
const PRINTABLE_ID = /^[\x21-\x7e]{1,100}$/;

function optionalId(field: string, value: string | undefined, max: number): void {
  if (value === undefined) return;
  if (!PRINTABLE_ID.test(value) || value.length > max) {
    throw new InvalidEvent(field, `expected 1-${max} printable ASCII characters without spaces`);
  }
}

/** Validates one append at the edge of the store; the error names the offending field. */
export function validateAppend(
  streamId: string,
  expectedVersion: ExpectedVersion,
  events: readonly NewEvent[],
): void {
  if (typeof streamId !== 'string' || streamId.length > 200 || !isStreamId(streamId)) {
    throw new InvalidEvent('streamId', 'expected <context>-<id>, e.g. payments-7d1c2a4e');
  }
  if (
    expectedVersion !== 'any' &&
    !(Number.isSafeInteger(expectedVersion) && expectedVersion >= 0)
  ) {
    throw new InvalidEvent('expectedVersion', "expected a version >= 0 or 'any'");
  }
  if (!Array.isArray(events) || events.length === 0 || events.length > MAX_EVENTS_PER_APPEND) {
    throw new InvalidEvent('events', `expected 1-${MAX_EVENTS_PER_APPEND} events`);
  }
  const ids = new Set<string>();
  events.forEach((event, i) => {
    const at = `events[${i}]`;
    if (typeof event.eventId !== 'string' || !UUID.test(event.eventId)) {
      throw new InvalidEvent(`${at}.eventId`, 'expected a lower-case UUID');
    }
    if (ids.has(event.eventId)) throw new InvalidEvent(`${at}.eventId`, 'used twice in one append');
    ids.add(event.eventId);
    if (typeof event.type !== 'string' || event.type.length > 200 || !PROTO_NAME.test(event.type)) {
      throw new InvalidEvent(`${at}.type`, 'expected a fully qualified protobuf message name');
    }
    if (
      !Number.isInteger(event.schemaVersion) ||
      event.schemaVersion < 1 ||
      event.schemaVersion > 65535
    ) {
      throw new InvalidEvent(`${at}.schemaVersion`, 'expected an integer 1-65535');
    }
    if (!(event.payload instanceof Uint8Array) || event.payload.byteLength > MAX_PAYLOAD_BYTES) {
      throw new InvalidEvent(
        `${at}.payload`,
        `expected protobuf bytes, at most ${MAX_PAYLOAD_BYTES}`,
      );
    }
    if (!(event.occurredAt instanceof Date) || Number.isNaN(event.occurredAt.getTime())) {
      throw new InvalidEvent(`${at}.occurredAt`, 'expected a valid Date');
    }
    optionalId(`${at}.correlationId`, event.correlationId, 100);
    optionalId(`${at}.causationId`, event.causationId, 100);
    optionalId(`${at}.merchantId`, event.merchantId, 64);
  });
}
