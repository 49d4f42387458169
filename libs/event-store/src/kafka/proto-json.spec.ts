import { PROTO_ROOT, eventsEnvelopeV1, probeV1 } from '@tillgate/contracts';
import { loadProtoRegistry, payloadToJson } from './proto-json';

describe('payloads as protobuf JSON, from the proto/ folder', () => {
  const registry = loadProtoRegistry(PROTO_ROOT);

  it('decodes any event payload by its type name into canonical JSON', () => {
    const payload = probeV1.ProbeOpened.encode({
      probeId: 'p-1',
      label: 'till 4',
      limit: '9007199254740993',
    }).finish();
    expect(payloadToJson(registry, 'tillgate.probe.v1.ProbeOpened', payload)).toEqual({
      probeId: 'p-1',
      label: 'till 4',
      limit: '9007199254740993',
    });
  });

  it('knows the envelope, with its timestamps in RFC 3339 and its payload in base64', () => {
    const envelope = eventsEnvelopeV1.EventEnvelope.encode({
      ...eventsEnvelopeV1.EventEnvelope.decode(new Uint8Array()),
      eventId: 'e-1',
      occurredAt: { seconds: '1764064800', nanos: 123_000_000 },
      payload: new Uint8Array([1, 2]),
    }).finish();
    expect(payloadToJson(registry, 'tillgate.events.v1.EventEnvelope', envelope)).toEqual({
      eventId: 'e-1',
      occurredAt: '2025-11-25T10:00:00.123Z',
      payload: 'AQI=',
    });
  });

  it('says null for a type it does not know', () => {
    expect(payloadToJson(registry, 'tillgate.nowhere.v1.Nothing', new Uint8Array())).toBeNull();
  });
});
