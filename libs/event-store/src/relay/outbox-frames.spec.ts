import { MalformedOutboxRecord } from '../kafka/outbox-record';
import { parseOutboxFrames } from './outbox-frames';

/** A frame as Postgres writes it for the relay (see outboxFrameSql): int8 position, then int4-length columns. */
function frame(position: bigint, topic: string, ...columns: (string | null)[]): Buffer {
  const int8 = Buffer.alloc(8);
  int8.writeBigInt64BE(position);
  const column = (text: string | null) => {
    const length = Buffer.alloc(4);
    length.writeInt32BE(text === null ? -1 : Buffer.byteLength(text));
    return Buffer.concat([length, Buffer.from(text ?? '')]);
  };
  return Buffer.concat([int8, column(topic), ...columns.map(column)]);
}

describe('the frames of a Postgres outbox batch', () => {
  it('read back in order, with NULL record columns of entries stored without a record', () => {
    const rows = parseOutboxFrames(
      Buffer.concat([
        frame(7n, 'tillgate.probe.v1', 'key-1', 'value-1', 'headers-1'),
        frame(9007199254740993n, 'tillgate.probe.v1', null, null, null),
        frame(12n, 'tillgate.other.v1', '', 'v', 'h'),
      ]),
    );
    expect(
      rows.map((r) => [
        r.position,
        r.topic,
        r.record_key?.toString() ?? null,
        r.record_value?.toString() ?? null,
        r.record_headers?.toString() ?? null,
      ]),
    ).toEqual([
      [7n, 'tillgate.probe.v1', 'key-1', 'value-1', 'headers-1'],
      [9007199254740993n, 'tillgate.probe.v1', null, null, null],
      [12n, 'tillgate.other.v1', '', 'v', 'h'],
    ]);
    expect(parseOutboxFrames(Buffer.alloc(0))).toEqual([]);
  });

  it('refuse truncated frames and frames without a topic, with a typed error', () => {
    const whole = frame(7n, 'tillgate.probe.v1', 'key', 'value', 'headers');
    for (let cut = 1; cut < whole.length; cut += 3)
      expect(() => parseOutboxFrames(whole.subarray(0, cut))).toThrow(MalformedOutboxRecord);
    expect(() => parseOutboxFrames(frame(7n, null as unknown as string, 'k', 'v', 'h'))).toThrow(
      MalformedOutboxRecord,
    );
  });
});
