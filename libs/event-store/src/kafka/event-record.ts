import type { IHeaders, Message } from 'kafkajs';
import { eventsEnvelopeV1 } from '@tillgate/contracts';
import type { StoredEvent } from '../store/event.types';

/** The record headers every published event carries (documented in docs/events.md). */
export const EVENT_HEADERS = {
  contentType: 'content-type',
  schema: 'schema',
  eventType: 'event-type',
  eventSchemaVersion: 'event-schema-version',
  eventId: 'event-id',
} as const;

export const ENVELOPE_CONTENT_TYPE = 'application/x-protobuf';
export const ENVELOPE_SCHEMA = 'tillgate.events.v1.EventEnvelope';

function timestamp(date: Date): { seconds: string; nanos: number } {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

function date(ts: { seconds: string; nanos: number } | undefined): Date {
  return new Date(Number(ts?.seconds ?? 0) * 1000 + Math.floor((ts?.nanos ?? 0) / 1_000_000));
}

/** The EventEnvelope of a stored event. */
export function envelopeOf(event: StoredEvent): eventsEnvelopeV1.EventEnvelope {
  return {
    eventId: event.eventId,
    streamId: event.streamId,
    streamVersion: String(event.streamVersion),
    position: event.position.toString(),
    eventType: event.type,
    schemaVersion: event.schemaVersion,
    occurredAt: timestamp(event.occurredAt),
    recordedAt: timestamp(event.recordedAt),
    correlationId: event.correlationId ?? '',
    causationId: event.causationId ?? '',
    merchantId: event.merchantId ?? '',
    payload: event.payload,
  };
}

/** The headers of an event's record. */
export function eventHeaders(
  event: Pick<StoredEvent, 'type' | 'schemaVersion' | 'eventId'>,
): Record<string, string> {
  return {
    [EVENT_HEADERS.contentType]: ENVELOPE_CONTENT_TYPE,
    [EVENT_HEADERS.schema]: ENVELOPE_SCHEMA,
    [EVENT_HEADERS.eventType]: event.type,
    [EVENT_HEADERS.eventSchemaVersion]: String(event.schemaVersion),
    [EVENT_HEADERS.eventId]: event.eventId,
  };
}

/**
 * A stored event as a Kafka record: key = stream id, value = EventEnvelope.
 * The relay publishes the record encoded at append time (see
 * outbox-record.ts), which is the same bytes; this encodes it from the event.
 */
export function toKafkaMessage(event: StoredEvent): Message {
  const value = eventsEnvelopeV1.EventEnvelope.encode(envelopeOf(event)).finish();
  return {
    key: event.streamId,
    value: Buffer.from(value.buffer, value.byteOffset, value.byteLength),
    headers: eventHeaders(event),
  };
}

/** Raised for a record that is not an EventEnvelope; consumers dead-letter it. */
export class UndecodableRecord extends Error {
  readonly code = 'UNDECODABLE_RECORD';
  constructor(reason: string) {
    super(`not an event envelope: ${reason}`);
    this.name = 'UndecodableRecord';
  }
}

const header = (headers: IHeaders | undefined, name: string) => {
  const value = headers?.[name];
  return value === undefined ? undefined : String(Array.isArray(value) ? value[0] : value);
};

/** Decodes a record published by the relay back into the stored event. */
export function fromKafkaMessage(message: {
  value: Buffer | null;
  headers?: IHeaders;
}): StoredEvent {
  const schema = header(message.headers, EVENT_HEADERS.schema);
  if (schema !== undefined && schema !== ENVELOPE_SCHEMA)
    throw new UndecodableRecord(`schema header is ${schema}`);
  if (!message.value) throw new UndecodableRecord('the record has no value');
  let envelope: eventsEnvelopeV1.EventEnvelope;
  try {
    envelope = eventsEnvelopeV1.EventEnvelope.decode(message.value);
  } catch (err) {
    throw new UndecodableRecord((err as Error).message);
  }
  if (!envelope.eventId || !envelope.streamId || !envelope.eventType) {
    throw new UndecodableRecord('event id, stream id or event type is missing');
  }
  return {
    position: BigInt(envelope.position),
    eventId: envelope.eventId,
    streamId: envelope.streamId,
    streamVersion: Number(envelope.streamVersion),
    type: envelope.eventType,
    schemaVersion: envelope.schemaVersion,
    payload: envelope.payload,
    occurredAt: date(envelope.occurredAt),
    recordedAt: date(envelope.recordedAt),
    correlationId: envelope.correlationId || null,
    causationId: envelope.causationId || null,
    merchantId: envelope.merchantId || null,
  };
}
