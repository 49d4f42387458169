// Public API of @tillgate/event-store: see README.md.
export * from './store/event.types';
export * from './store/event-store.errors';
export { MAX_EVENTS_PER_APPEND, MAX_PAYLOAD_BYTES } from './store/event-validation';
export {
  EventStore,
  type AppendOptions,
  type EventStoreOptions,
  type EventStoreTransaction,
} from './store/event-store';
export type {
  AlsoStatement,
  AppendTransaction,
  StoreTransaction,
} from './storage/event-storage.port';
export { rejectCardData, type EventGuard } from './store/card-data.guard';
export { streamId, streamContext, defaultTopicFor, isStreamId } from './store/stream-id';
export type { GroupCommitOptions } from './store/group-committer';
export { eventStoreEntities, eventStoreMigrations } from './storage/event-store.schema';
export * from './decider/decider';
export * from './decider/event-codec';
export * from './decider/command-handler';
export { OutboxRelay, type OutboxRelayOptions, type CommitSignal } from './relay/outbox-relay';
export { RelayMetrics } from './relay/relay.metrics';
export type { Checkpoint, OutboxLag } from './relay/outbox.port';
export * from './consumer/projection';
export {
  CheckpointedConsumer,
  type CheckpointedConsumerOptions,
} from './consumer/checkpointed-consumer';
export {
  replayProjection,
  ProjectionNotReplayable,
  type ReplayOptions,
} from './consumer/replay-projection';
export { deadLetterTopicFor } from './consumer/dead-letter';
export { createKafka, createEventProducer, type KafkaClientOptions } from './kafka/kafka-client';
export {
  toKafkaMessage,
  fromKafkaMessage,
  UndecodableRecord,
  EVENT_HEADERS,
  ENVELOPE_SCHEMA,
  ENVELOPE_CONTENT_TYPE,
} from './kafka/event-record';
export { loadProtoRegistry, payloadToJson, eventToJson } from './kafka/proto-json';
