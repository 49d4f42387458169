import type { Message } from 'kafkajs';
import { eventsEnvelopeV1 } from '@tillgate/contracts';
import type { StoredEvent } from '../store/event.types';
import { envelopeOf, eventHeaders } from './event-record';

/**
 * The Kafka record of an event, encoded once when the event is appended and
 * stored in its outbox row, so that the relay publishes stored bytes instead
 * of parsing the event and encoding its envelope again for every record.
 *
 * Only the position is unknown at that moment: the database assigns it in
 * the very statement that writes the row. So the envelope is kept in two
 * parts around the position field, and the row's value is
 * `valueHead || uvarint(position) || valueTail`: on Postgres the INSERT
 * computes it (es_uvarint, see the migration), on SQLite the store does in
 * JavaScript, the position being known before the outbox row is written.
 * EventEnvelope fields are written in field-number order and position is
 * field 4, so the result is byte for byte the envelope `toKafkaMessage`
 * encodes from the stored event.
 */
export interface OutboxRecordParts {
  /** The record key: the stream id, UTF-8. */
  key: Buffer;
  /** EventEnvelope fields 1 to 3, then the tag of field 4 (position). */
  valueHead: Buffer;
  /** EventEnvelope fields 5 to 12. */
  valueTail: Buffer;
  /** The record headers, as `encodeRecordHeaders` writes them. */
  headers: Buffer;
}

/** The tag of EventEnvelope.position: field 4, wire type 0 (varint). */
const POSITION_TAG = (4 << 3) | 0;

/** What the store knows of an event before the database gives it a position. */
export type UnpositionedEvent = Omit<StoredEvent, 'position'>;

const asBuffer = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Encodes an event's record, all but the position (see OutboxRecordParts). */
export function encodeOutboxRecord(event: UnpositionedEvent): OutboxRecordParts {
  const envelope = envelopeOf({ ...event, position: 0n });
  const { EventEnvelope } = eventsEnvelopeV1;
  // Fields at their default value are not written: each part is the envelope with the other fields cleared.
  const head = EventEnvelope.encode({
    ...envelope,
    position: '0',
    eventType: '',
    schemaVersion: 0,
    occurredAt: undefined,
    recordedAt: undefined,
    correlationId: '',
    causationId: '',
    merchantId: '',
    payload: new Uint8Array(0),
  });
  head.uint32(POSITION_TAG);
  const tail = EventEnvelope.encode({
    ...envelope,
    eventId: '',
    streamId: '',
    streamVersion: '0',
    position: '0',
  });
  return {
    key: Buffer.from(event.streamId, 'utf8'),
    valueHead: asBuffer(head.finish()),
    valueTail: asBuffer(tail.finish()),
    headers: encodeRecordHeaders(eventHeaders(event)),
  };
}

/** Protobuf's base-128 varint of an unsigned integer: 7 bits a byte, least significant first. */
export function uvarint(value: bigint): Buffer {
  if (value < 0n || value >= 1n << 64n) throw new RangeError(`${value} is not a uint64`);
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return Buffer.from(bytes);
}

/** The record value of an event at `position` (which is never 0: 0 would not be written). */
export function positionedValue(
  parts: Pick<OutboxRecordParts, 'valueHead' | 'valueTail'>,
  position: bigint,
): Buffer {
  if (position <= 0n) throw new RangeError(`an event position is positive, got ${position}`);
  return Buffer.concat([parts.valueHead, uvarint(position), parts.valueTail]);
}

/** A stored record that cannot be read back: the bytes were not written by this store. */
export class MalformedOutboxRecord extends Error {
  readonly code = 'MALFORMED_OUTBOX_RECORD';
  constructor(reason: string) {
    super(`malformed outbox record: ${reason}`);
    this.name = 'MalformedOutboxRecord';
  }
}

// Kafka's varint (record format v2): zig-zag, then base-128 little-endian.
function writeVarint(bytes: number[], value: number): void {
  let rest = (value << 1) ^ (value >> 31);
  while ((rest & ~0x7f) !== 0) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
}

/**
 * Record headers in the layout of Kafka's record format v2 (KIP-82): a
 * varint count, then per header a varint key length, the key in UTF-8, a
 * varint value length and the value; Kafka's varints are zig-zag encoded.
 */
export function encodeRecordHeaders(headers: Readonly<Record<string, string>>): Buffer {
  const bytes: number[] = [];
  const entries = Object.entries(headers);
  writeVarint(bytes, entries.length);
  for (const [key, value] of entries) {
    for (const text of [key, value]) {
      const utf8 = Buffer.from(text, 'utf8');
      writeVarint(bytes, utf8.length);
      for (const byte of utf8) bytes.push(byte);
    }
  }
  return Buffer.from(bytes);
}

/**
 * Reads what `encodeRecordHeaders` wrote. Values stay bytes (views of the
 * stored bytes): kafkajs writes a Buffer as it is, where a string would be
 * measured and encoded again.
 *
 * The records of a batch carry the same header names and mostly the same
 * values (content type, schema, event type): a decoder reuses the name and
 * the value of the previous record's header at the same place when the
 * bytes are equal. Fewer young objects per record means less garbage
 * collection, a good part of the relay's time.
 */
export class RecordHeadersDecoder {
  private previous: { name: string; nameBytes: Buffer; value: Buffer }[] = [];

  decode(stored: Buffer): Record<string, Buffer> {
    let offset = 0;
    const varint = (): number => {
      let result = 0;
      for (let shift = 0; shift < 35; shift += 7) {
        if (offset >= stored.length) throw new MalformedOutboxRecord('truncated varint');
        const byte = stored[offset++];
        result |= (byte & 0x7f) << shift;
        if ((byte & 0x80) === 0) return (result >>> 1) ^ -(result & 1);
      }
      throw new MalformedOutboxRecord('varint longer than 5 bytes');
    };
    const span = (): [number, number] => {
      const length = varint();
      if (length < 0 || offset + length > stored.length)
        throw new MalformedOutboxRecord(
          `a length of ${length} at byte ${offset} runs past the end`,
        );
      offset += length;
      return [offset - length, offset];
    };
    const equal = (bytes: Buffer | undefined, [from, to]: [number, number]) =>
      bytes !== undefined && stored.compare(bytes, 0, bytes.length, from, to) === 0;

    const count = varint();
    if (count < 0) throw new MalformedOutboxRecord(`negative header count ${count}`);
    // A plain object (kafkajs walks it for every record; one without a prototype is slower to walk),
    // so a stored name must not reach Object.prototype.
    const headers: Record<string, Buffer> = {};
    for (let i = 0; i < count; i++) {
      const before = this.previous[i];
      const nameSpan = span();
      const valueSpan = span();
      const nameBytes = equal(before?.nameBytes, nameSpan)
        ? before.nameBytes
        : stored.subarray(...nameSpan);
      const name = nameBytes === before?.nameBytes ? before.name : nameBytes.toString('utf8');
      if (name === '__proto__') throw new MalformedOutboxRecord('a header is named __proto__');
      const value = equal(before?.value, valueSpan) ? before.value : stored.subarray(...valueSpan);
      headers[name] = value;
      if (value !== before?.value || name !== before.name)
        this.previous[i] = { name, nameBytes, value };
    }
    if (offset !== stored.length)
      throw new MalformedOutboxRecord(`${stored.length - offset} bytes after the last header`);
    return headers;
  }
}

/** Reads what `encodeRecordHeaders` wrote (see RecordHeadersDecoder). */
export function decodeRecordHeaders(stored: Buffer): Record<string, Buffer> {
  return new RecordHeadersDecoder().decode(stored);
}

/** The columns of a stored record, as both databases return them. */
export interface StoredRecordColumns {
  record_key: Buffer;
  record_value: Buffer;
  record_headers: Buffer;
}

/** The Kafka message of a stored record: the stored bytes as they are. */
export function storedMessage(
  row: StoredRecordColumns,
  headers: RecordHeadersDecoder = new RecordHeadersDecoder(),
): Message {
  return {
    key: row.record_key,
    value: row.record_value,
    headers: headers.decode(row.record_headers),
  };
}
