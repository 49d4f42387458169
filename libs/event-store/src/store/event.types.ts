/** Who and what an event belongs to besides its stream: optional, carried to Kafka as is. */
export interface EventMetadata {
  /** Id shared by every event of one business flow, e.g. a terminal request. */
  correlationId?: string;
  /** Id of the command or event that caused this one. */
  causationId?: string;
  merchantId?: string;
}

/** An event to append: the payload is already encoded from its protobuf message. */
export interface NewEvent extends EventMetadata {
  /** UUID chosen by the caller: appending the same id again is a no-op. */
  eventId: string;
  /** Fully qualified protobuf name of the payload message, e.g. `tillgate.probe.v1.ProbeOpened`. */
  type: string;
  /** Revision of that message the producer wrote (1 for the first). */
  schemaVersion: number;
  /** Protobuf binary encoding of the payload message. */
  payload: Uint8Array;
  occurredAt: Date;
}

/** An event as recorded by the store. */
export interface StoredEvent {
  /** Unique and increasing in append order across the database; has gaps. */
  position: bigint;
  eventId: string;
  streamId: string;
  /** 1-based, gap-free within the stream. */
  streamVersion: number;
  type: string;
  schemaVersion: number;
  payload: Uint8Array;
  occurredAt: Date;
  recordedAt: Date;
  correlationId: string | null;
  causationId: string | null;
  merchantId: string | null;
}

/**
 * What the caller believes the stream's version is: the version of its last
 * event (0 = the stream has no event yet), or `'any'` to skip the check.
 */
export type ExpectedVersion = number | 'any';

export interface AppendedEvent {
  eventId: string;
  streamVersion: number;
  position: bigint;
}

/** The outcome of an append; re-appending the same events returns the same result. */
export interface AppendResult {
  streamId: string;
  /** The stream's version right after this append: the expected version of the next one. */
  nextExpectedVersion: number;
  events: AppendedEvent[];
}
