import type { Message } from 'kafkajs';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
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

/** EventEnvelope.position: field 4, a varint. */
const POSITION_FIELD = 4;
const POSITION_TAG = (POSITION_FIELD << 3) | WireType.Varint;

/** What the store knows of an event before the database gives it a position. */
export type UnpositionedEvent = Omit<StoredEvent, 'position'>;

/** Where the fields after `field` start in an encoded message (fields in number order). */
function offsetAfterField(message: Uint8Array, field: number): number {
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const [number, wireType] = reader.tag();
    if (number > field) return start;
    reader.skip(wireType);
  }
  return reader.len;
}

/**
 * Encodes an event's record, all but the position (see OutboxRecordParts).
 * The envelope is encoded once, at position 0, which protobuf leaves out,
 * and cut where the position would be.
 */
export function encodeOutboxRecord(event: UnpositionedEvent): OutboxRecordParts {
  const encoded = eventsEnvelopeV1.EventEnvelope.encode(
    envelopeOf({ ...event, position: 0n }),
  ).finish();
  const envelope = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const cut = offsetAfterField(envelope, POSITION_FIELD);
  const valueHead = Buffer.allocUnsafe(cut + 1);
  envelope.copy(valueHead, 0, 0, cut);
  valueHead[cut] = POSITION_TAG;
  return {
    key: Buffer.from(event.streamId, 'utf8'),
    valueHead,
    valueTail: envelope.subarray(cut),
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
function zigZag(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

function varintLength(value: number): number {
  let length = 1;
  for (let rest = zigZag(value); rest > 0x7f; rest >>>= 7) length++;
  return length;
}

function writeVarint(into: Buffer, offset: number, value: number): number {
  let rest = zigZag(value);
  while (rest > 0x7f) {
    into[offset++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  into[offset++] = rest;
  return offset;
}

/**
 * Record headers in the layout of Kafka's record format v2 (KIP-82): a
 * varint count, then per header a varint key length, the key in UTF-8, a
 * varint value length and the value; Kafka's varints are zig-zag encoded.
 * Measured first, then written into one buffer.
 */
export function encodeRecordHeaders(headers: Readonly<Record<string, string>>): Buffer {
  const texts = Object.entries(headers).flat();
  const lengths = texts.map((text) => Buffer.byteLength(text, 'utf8'));
  let size = varintLength(texts.length / 2);
  for (const length of lengths) size += varintLength(length) + length;
  const bytes = Buffer.allocUnsafe(size);
  let offset = writeVarint(bytes, 0, texts.length / 2);
  texts.forEach((text, i) => {
    offset = writeVarint(bytes, offset, lengths[i]);
    offset += bytes.write(text, offset, 'utf8');
  });
  return bytes;
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
  private stored: Buffer = Buffer.alloc(0);
  private offset = 0;

  decode(stored: Buffer): Record<string, Buffer> {
    this.stored = stored;
    this.offset = 0;
    const count = this.varint();
    if (count < 0) throw new MalformedOutboxRecord(`negative header count ${count}`);
    // A plain object (kafkajs walks it for every record; one without a prototype is slower to walk),
    // so a stored name must not reach Object.prototype.
    const headers: Record<string, Buffer> = {};
    for (let i = 0; i < count; i++) {
      const before = this.previous[i];
      const nameFrom = this.span();
      const nameTo = this.offset;
      const valueFrom = this.span();
      const valueTo = this.offset;
      const sameName = before !== undefined && this.holds(before.nameBytes, nameFrom, nameTo);
      const nameBytes = sameName ? before.nameBytes : stored.subarray(nameFrom, nameTo);
      const name = sameName ? before.name : nameBytes.toString('utf8');
      if (name === '__proto__') throw new MalformedOutboxRecord('a header is named __proto__');
      const sameValue = before !== undefined && this.holds(before.value, valueFrom, valueTo);
      const value = sameValue ? before.value : stored.subarray(valueFrom, valueTo);
      headers[name] = value;
      if (!sameValue || !sameName) this.previous[i] = { name, nameBytes, value };
    }
    if (this.offset !== stored.length)
      throw new MalformedOutboxRecord(`${stored.length - this.offset} bytes after the last header`);
    return headers;
  }

  private varint(): number {
    const stored = this.stored;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.offset >= stored.length) throw new MalformedOutboxRecord('truncated varint');
      const byte = stored[this.offset++];
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return (result >>> 1) ^ -(result & 1);
    }
    throw new MalformedOutboxRecord('varint longer than 5 bytes');
  }

  /** Reads a length and skips that many bytes; returns where they start. */
  private span(): number {
    const length = this.varint();
    if (length < 0 || this.offset + length > this.stored.length)
      throw new MalformedOutboxRecord(
        `a length of ${length} at byte ${this.offset} runs past the end`,
      );
    this.offset += length;
    return this.offset - length;
  }

  /** Whether the stored bytes from..to are `bytes` (a loop: header names and values are short). */
  private holds(bytes: Buffer, from: number, to: number): boolean {
    if (bytes.length !== to - from) return false;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== this.stored[from + i]) return false;
    return true;
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
