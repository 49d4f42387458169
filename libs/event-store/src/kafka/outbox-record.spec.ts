import type { StoredEvent } from '../store/event.types';
import { eventHeaders, toKafkaMessage } from './event-record';
import {
  MalformedOutboxRecord,
  RecordHeadersDecoder,
  decodeRecordHeaders,
  encodeOutboxRecord,
  encodeRecordHeaders,
  positionedValue,
  storedMessage,
  uvarint,
  type UnpositionedEvent,
} from './outbox-record';

const event: StoredEvent = {
  position: 1n,
  eventId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  streamId: 'probe-42',
  streamVersion: 300,
  type: 'tillgate.probe.v1.ProbeIncremented',
  schemaVersion: 2,
  payload: new Uint8Array([8, 1, 16, 7]),
  occurredAt: new Date('2025-11-25T10:00:00.123Z'),
  recordedAt: new Date('2025-11-25T10:00:00.456Z'),
  correlationId: 'req-1',
  causationId: null,
  merchantId: 'merchant-0001',
};

/** The event without its position, as the append knows it. */
function unpositioned(e: StoredEvent): UnpositionedEvent {
  return {
    eventId: e.eventId,
    streamId: e.streamId,
    streamVersion: e.streamVersion,
    type: e.type,
    schemaVersion: e.schemaVersion,
    payload: e.payload,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    correlationId: e.correlationId,
    causationId: e.causationId,
    merchantId: e.merchantId,
  };
}

const asBuffers = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));

describe('the Kafka record an outbox row stores', () => {
  it.each([
    ['1', 1n],
    ['127 (the last one-byte varint)', 127n],
    ['128 (the first two-byte varint)', 128n],
    ['2^53 + 1', 9007199254740993n],
    ['2^63 - 1 (the largest bigint position)', 9223372036854775807n],
  ])('is byte for byte what toKafkaMessage encodes, at position %s', (_label, position) => {
    const parts = encodeOutboxRecord(unpositioned(event));
    const expected = toKafkaMessage({ ...event, position });
    expect(positionedValue(parts, position)).toEqual(expected.value);
    expect(parts.key).toEqual(Buffer.from('probe-42'));
    expect(decodeRecordHeaders(parts.headers)).toEqual(
      asBuffers(expected.headers as Record<string, string>),
    );
  });

  it('is what toKafkaMessage encodes also when every optional field is empty', () => {
    const bare: StoredEvent = {
      ...event,
      correlationId: null,
      causationId: null,
      merchantId: null,
      payload: new Uint8Array(0),
    };
    expect(positionedValue(encodeOutboxRecord(unpositioned(bare)), 42n)).toEqual(
      toKafkaMessage({ ...bare, position: 42n }).value,
    );
  });

  it('refuses position 0, which protobuf would not write at all', () => {
    expect(() => positionedValue(encodeOutboxRecord(unpositioned(event)), 0n)).toThrow(RangeError);
  });

  it('is published as stored: key, value and header values are the stored bytes', () => {
    const parts = encodeOutboxRecord(unpositioned(event));
    const value = positionedValue(parts, 7n);
    const message = storedMessage({
      record_key: parts.key,
      record_value: value,
      record_headers: parts.headers,
    });
    expect(message.key).toBe(parts.key);
    expect(message.value).toBe(value);
    expect(message.headers).toEqual(asBuffers(eventHeaders(event)));
  });
});

describe('uvarint, protobuf base-128 varints', () => {
  // Known answers from the protobuf encoding guide (150 = 96 01) and the format's limits.
  it.each([
    [1n, '01'],
    [127n, '7f'],
    [128n, '8001'],
    [150n, '9601'],
    [300n, 'ac02'],
    [9223372036854775807n, 'ffffffffffffffff7f'],
    [18446744073709551615n, 'ffffffffffffffffff01'],
  ])('encodes %s as %s', (value, hex) => {
    expect(uvarint(value).toString('hex')).toBe(hex);
  });

  it('refuses what is not a uint64', () => {
    expect(() => uvarint(-1n)).toThrow(RangeError);
    expect(() => uvarint(1n << 64n)).toThrow(RangeError);
  });
});

describe('record headers in the layout of Kafka record format v2', () => {
  const headers = {
    'content-type': 'application/x-protobuf',
    'event-type': 'tillgate.probe.v1.ProbeIncremented',
    note: 'crème brûlée ☕',
    empty: '',
    long: 'x'.repeat(300),
  };

  // Kafka protocol guide, "Record": headerKeyLength varint, headerKey, headerValueLength varint,
  // value; varints zig-zag encoded as protobuf's sint32 (n >= 0 is written as 2n).
  it.each([
    [{}, '00'],
    [{ a: 'b' }, '02 02 61 02 62'],
    [{ k: '' }, '02 02 6b 00'],
    [{ é: 'x' }, '02 04 c3a9 02 78'],
    [{ v: 'x'.repeat(300) }, `02 02 76 d804 ${'78'.repeat(300)}`],
  ])('encode %j as %s', (headers, hex) => {
    expect(encodeRecordHeaders(headers).toString('hex')).toBe(hex.replace(/ /g, ''));
  });

  it('decode back to the same names and values, as bytes', () => {
    expect(decodeRecordHeaders(encodeRecordHeaders(headers))).toEqual(asBuffers(headers));
    expect(decodeRecordHeaders(encodeRecordHeaders({}))).toEqual({});
  });

  it('decode record after record the same with one decoder, sharing what equal bytes decode to', () => {
    const decoder = new RecordHeadersDecoder();
    const records: Record<string, string>[] = [
      { 'content-type': 'application/x-protobuf', 'event-id': 'a', type: 'T' },
      { 'content-type': 'application/x-protobuf', 'event-id': 'b', type: 'T' },
      { 'content-type': 'application/x-protobuf', 'event-id': 'b', type: 'U', extra: '1' },
      { other: 'application/x-protobuf', 'event-id': 'c' },
      { 'content-type': 'application/x-protobuf' },
    ];
    const decoded = records.map((h) => decoder.decode(encodeRecordHeaders(h)));
    expect(decoded).toEqual(records.map(asBuffers));
    expect(decoded[1]['content-type']).toBe(decoded[0]['content-type']);
    expect(decoded[1]['event-id']).not.toBe(decoded[0]['event-id']);
    expect(Object.keys(decoded[3])).toEqual(['other', 'event-id']);
  });

  it('refuse stored bytes they did not write, with a typed error', () => {
    const stored = encodeRecordHeaders(headers);
    for (const bad of [
      stored.subarray(0, stored.length - 1), // truncated value
      Buffer.concat([stored, Buffer.from([0])]), // trailing bytes
      Buffer.from([0x02, 0x7e]), // one header whose key claims 63 bytes
      Buffer.from([0x01]), // a negative count
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // a varint longer than 5 bytes
      Buffer.alloc(0),
    ]) {
      expect(() => decodeRecordHeaders(bad)).toThrow(MalformedOutboxRecord);
    }
  });

  it('cannot set a prototype through a stored header name', () => {
    expect(() =>
      decodeRecordHeaders(encodeRecordHeaders(JSON.parse('{"__proto__": "x"}'))),
    ).toThrow(MalformedOutboxRecord);
  });
});
