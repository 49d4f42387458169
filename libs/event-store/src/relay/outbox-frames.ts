import { MalformedOutboxRecord } from '../kafka/outbox-record';
import type { OutboxRow } from './outbox-records';

/**
 * The SQL of one outbox entry as a frame, for the Postgres relay's read,
 * which returns a whole batch as one value: position (int8), topic, then
 * record key, value and headers, each as an int4 length (-1 for NULL) and
 * its bytes; int4/int8 big-endian, as int4send/int8send write them.
 */
export function outboxFrameSql(): string {
  const bytes = (sql: string) =>
    `int4send(coalesce(octet_length(${sql}), -1)) || coalesce(${sql}, ''::bytea)`;
  return [
    'int8send(position)',
    bytes("convert_to(topic, 'UTF8')"),
    bytes('record_key'),
    bytes('record_value'),
    bytes('record_headers'),
  ].join(' || ');
}

/**
 * Reads the frames `outboxFrameSql` wrote, in order. Columns are views of
 * `frames`; entries of one topic share its name.
 */
export function parseOutboxFrames(frames: Buffer): OutboxRow<Buffer>[] {
  const rows: OutboxRow<Buffer>[] = [];
  let offset = 0;
  const take = (length: number) => {
    if (length > frames.length - offset)
      throw new MalformedOutboxRecord(`an outbox frame runs past the end at byte ${offset}`);
    offset += length;
    return offset - length;
  };
  const column = (): Buffer | null => {
    const length = frames.readInt32BE(take(4));
    if (length < 0) return null;
    const from = take(length);
    return frames.subarray(from, from + length);
  };
  let topic = '';
  let topicBytes: Buffer | null = null;
  while (offset < frames.length) {
    const position = frames.readBigInt64BE(take(8));
    const name = column();
    if (name === null) throw new MalformedOutboxRecord('an outbox frame has no topic');
    if (topicBytes === null || !name.equals(topicBytes)) {
      topicBytes = name;
      topic = name.toString('utf8');
    }
    rows.push({
      position,
      topic,
      record_key: column(),
      record_value: column(),
      record_headers: column(),
    });
  }
  return rows;
}
