import { eventsEnvelopeV1 } from '@tillgate/contracts';
import type { StoredEvent } from '../store/event.types';
import { fromKafkaMessage, toKafkaMessage, UndecodableRecord } from './event-record';

const event: StoredEvent = {
  position: 9007199254740993n, // above 2^53: must survive as text
  eventId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  streamId: 'probe-42',
  streamVersion: 7,
  type: 'tillgate.probe.v1.ProbeIncremented',
  schemaVersion: 2,
  payload: new Uint8Array([8, 1, 16, 7]),
  occurredAt: new Date('2025-11-25T10:00:00.123Z'),
  recordedAt: new Date('2025-11-25T10:00:00.456Z'),
  correlationId: 'req-1',
  causationId: null,
  merchantId: 'merchant-0001',
};

describe('Kafka records of events', () => {
  it('keys by stream id and labels the record with content type, schema, event type, revision and id', () => {
    const message = toKafkaMessage(event);
    expect(message.key).toBe('probe-42');
    expect(message.headers).toEqual({
      'content-type': 'application/x-protobuf',
      schema: 'tillgate.events.v1.EventEnvelope',
      'event-type': 'tillgate.probe.v1.ProbeIncremented',
      'event-schema-version': '2',
      'event-id': event.eventId,
    });
  });

  it('carries every field in an EventEnvelope that decodes back to the same event', () => {
    const message = toKafkaMessage(event);
    const envelope = eventsEnvelopeV1.EventEnvelope.decode(message.value as Buffer);
    expect(envelope.position).toBe('9007199254740993');
    expect(envelope.occurredAt).toEqual({ seconds: '1764064800', nanos: 123_000_000 });
    expect(fromKafkaMessage({ value: message.value as Buffer, headers: message.headers })).toEqual({
      ...event,
      payload: expect.anything(),
    });
    expect(Buffer.from(fromKafkaMessage({ value: message.value as Buffer }).payload)).toEqual(
      Buffer.from(event.payload),
    );
  });

  it('refuses a record that is not an envelope', () => {
    expect(() => fromKafkaMessage({ value: Buffer.from([0xff, 0xff]) })).toThrow(UndecodableRecord);
    expect(() => fromKafkaMessage({ value: null })).toThrow(UndecodableRecord);
    expect(() =>
      fromKafkaMessage({
        value: toKafkaMessage(event).value as Buffer,
        headers: { schema: 'other.v1.Thing' },
      }),
    ).toThrow(UndecodableRecord);
  });
});
