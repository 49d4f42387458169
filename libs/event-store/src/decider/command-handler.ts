import { randomUUID } from 'node:crypto';
import type { EventStore } from '../store/event-store';
import { ExpectedVersionConflict } from '../store/event-store.errors';
import type { AppendResult, EventMetadata } from '../store/event.types';
import type { Decider } from './decider';
import type { DomainEvent, EventCodec } from './event-codec';

export interface CommandHandlerOptions {
  /** Attempts in all when a concurrent append wins (default 3); the last conflict is thrown. */
  maxAttempts?: number;
  newEventId?: () => string;
  clock?: () => Date;
}

export interface Handled<Event, State> {
  /** The events decided (empty when the command changed nothing). */
  events: Event[];
  /** The state after them. */
  state: State;
  /** The append, or null when there was nothing to append. */
  appended: AppendResult | null;
}

/**
 * Runs a command against an aggregate: read its stream, fold it, decide,
 * append with the version that was read. When another writer appended in
 * between (ExpectedVersionConflict) it reads and decides again, up to
 * `maxAttempts` times. Domain errors thrown by `decide` pass through.
 */
export class CommandHandler<Command, Event extends DomainEvent, State> {
  private readonly maxAttempts: number;
  private readonly newEventId: () => string;
  private readonly clock: () => Date;

  constructor(
    private readonly store: EventStore,
    private readonly decider: Decider<Command, Event, State>,
    private readonly codec: EventCodec<Event>,
    options: CommandHandlerOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.newEventId = options.newEventId ?? randomUUID;
    this.clock = options.clock ?? (() => new Date());
  }

  /** The current state of a stream and its version. */
  async load(streamId: string): Promise<{ state: State; version: number }> {
    const stored = await this.store.readStream(streamId);
    const state = stored.reduce(
      (s, e) => this.decider.evolve(s, this.codec.decode(e)),
      this.decider.initialState(),
    );
    return { state, version: stored.length ? stored[stored.length - 1].streamVersion : 0 };
  }

  async handle(
    streamId: string,
    command: Command,
    metadata: EventMetadata = {},
  ): Promise<Handled<Event, State>> {
    for (let attempt = 1; ; attempt++) {
      const { state, version } = await this.load(streamId);
      const events = this.decider.decide(command, state);
      const after = events.reduce((s, e) => this.decider.evolve(s, e), state);
      if (events.length === 0) return { events, state: after, appended: null };
      const occurredAt = this.clock();
      try {
        const appended = await this.store.append(
          streamId,
          version,
          events.map((event) =>
            this.codec.encode(event, { eventId: this.newEventId(), occurredAt, ...metadata }),
          ),
        );
        return { events, state: after, appended };
      } catch (err) {
        if (!(err instanceof ExpectedVersionConflict) || attempt >= this.maxAttempts) throw err;
      }
    }
  }
}
