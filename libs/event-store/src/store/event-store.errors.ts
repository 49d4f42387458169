import type { ExpectedVersion } from './event.types';

export type EventStoreErrorCode =
  | 'EXPECTED_VERSION_CONFLICT'
  | 'EVENT_ID_REUSED'
  | 'INVALID_EVENT'
  | 'INVALID_ALSO_STATEMENT'
  | 'CARD_DATA_IN_EVENT'
  | 'APPEND_NOT_FIRST_WRITE'
  | 'EVENT_STORE_CLOSED';

/** Base of every error the event store raises on purpose; `code` is stable, the message is for people. */
export abstract class EventStoreError extends Error {
  abstract readonly code: EventStoreErrorCode;
  override get name(): string {
    return this.constructor.name;
  }
}

/** The stream is not at the version the caller read: someone else appended first. Nothing was written. */
export class ExpectedVersionConflict extends EventStoreError {
  readonly code = 'EXPECTED_VERSION_CONFLICT';
  constructor(
    readonly streamId: string,
    readonly expectedVersion: ExpectedVersion,
    /** The stream's version when the append was checked; null when the database refused the write itself. */
    readonly actualVersion: number | null,
  ) {
    super(
      `stream ${streamId} is at version ${actualVersion ?? 'unknown (a concurrent append won)'}, expected ${expectedVersion}`,
    );
  }
}

/** An event id is already used by a different event, or only part of an append was recorded before. */
export class EventIdReused extends EventStoreError {
  readonly code = 'EVENT_ID_REUSED';
  constructor(
    readonly eventId: string,
    reason: string,
  ) {
    super(`event id ${eventId} cannot be appended again: ${reason}`);
  }
}

/** A field of an event to append is malformed; `field` names it. */
export class InvalidEvent extends EventStoreError {
  readonly code = 'INVALID_EVENT';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** An also-statement of an append is malformed (see `AlsoStatement`); `field` names it. */
export class InvalidAlsoStatement extends EventStoreError {
  readonly code = 'INVALID_ALSO_STATEMENT';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/**
 * An event would carry card data (a full PAN or track data). The value is
 * never part of the message: only where it was found.
 */
export class CardDataInEvent extends EventStoreError {
  readonly code = 'CARD_DATA_IN_EVENT';
  constructor(
    readonly field: string,
    readonly finding: 'pan' | 'track-data',
  ) {
    super(
      `${field} looks like it holds ${finding === 'pan' ? 'a full PAN' : 'card track data'}; events must carry tokens or masked values`,
    );
  }
}

/**
 * Inside a caller's transaction the append must be the first write (and
 * come once): on Postgres the relay orders by transaction id, which only
 * follows stream order when the id is taken after the stream was read.
 */
export class AppendNotFirstWrite extends EventStoreError {
  readonly code = 'APPEND_NOT_FIRST_WRITE';
  constructor() {
    super('append events once per transaction, before any other write in it');
  }
}

export class EventStoreClosed extends EventStoreError {
  readonly code = 'EVENT_STORE_CLOSED';
  constructor() {
    super('the event store is closed');
  }
}
