/**
 * Stream ids are `<context>-<id>`: the context (the bounded context, e.g.
 * `payments`) names the Kafka topic `tillgate.<context>.v1`, so every event
 * of a stream lands on one topic and, keyed by the stream id, one partition.
 */
const STREAM_ID = /^([a-z][a-z0-9_]{0,48})-[A-Za-z0-9._:@-]{1,150}$/;

export function isStreamId(value: string): boolean {
  return STREAM_ID.test(value);
}

/** `payments-7d1c...` -> `payments`. */
export function streamContext(streamId: string): string {
  const match = STREAM_ID.exec(streamId);
  if (!match) throw new Error(`not a stream id: ${streamId}`);
  return match[1];
}

export function streamId(context: string, id: string): string {
  const value = `${context}-${id}`;
  if (!STREAM_ID.test(value))
    throw new Error(`"${value}" is not a valid stream id (<context>-<id>)`);
  return value;
}

/** Where the relay publishes a stream's events unless the store is told otherwise. */
export function defaultTopicFor(streamId: string): string {
  return `tillgate.${streamContext(streamId)}.v1`;
}
