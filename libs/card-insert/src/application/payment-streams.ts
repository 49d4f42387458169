import { randomUUID } from 'node:crypto';
import {
  ExpectedVersionConflict,
  type AlsoStatement,
  type AppendTransaction,
  type EventStore,
  type StoredEvent,
} from '@tillgate/event-store';
import { paymentEventCodec, paymentStreamId } from '../domain/card-insert-event.codec';
import type { PaymentCommand } from '../domain/payment.commands';
import { paymentDecider } from '../domain/payment.decider';
import type { PaymentEvent } from '../domain/payment.events';
import type { PaymentState } from '../domain/payment.state';
import { paymentRows } from '../storage/card-insert.tables';

export interface LoadedPayment {
  state: PaymentState;
  version: number;
  events: PaymentEvent[];
  stored: StoredEvent[];
}

export interface Executed {
  events: PaymentEvent[];
  state: PaymentState;
  /** The stream's version after the command. */
  version: number;
}

/**
 * More writes for the transaction that records a command's events. They
 * may run again if the group-committed batch is retried: write through `tx` only.
 */
export type ExtraWrites = (tx: AppendTransaction, after: PaymentState) => Promise<void>;

const MAX_ATTEMPTS = 5;

/**
 * Loads payments and records their events, keeping the work tables in step
 * in the same transaction as the events that call for them:
 *  - PaymentInitiated: the in-flight row and the terminal's payment row;
 *  - any other event: the payment row's last version (CloseBatch counts it);
 *  - leaving `pending`: the in-flight row goes;
 *  - ReversalPending: a row in the reversal queue;
 *  - PaymentReversed: that row goes.
 * A concurrent writer (another process, the recovery sweep) makes the
 * append fail with ExpectedVersionConflict; the command is then decided
 * again on the new state.
 */
export class PaymentStreams {
  constructor(
    private readonly store: EventStore,
    private readonly clock: () => Date,
  ) {}

  async load(paymentId: string): Promise<LoadedPayment> {
    const stored = await this.store.readStream(paymentStreamId(paymentId));
    const events = stored.map((e) => paymentEventCodec.decode(e));
    const state = events.reduce(paymentDecider.evolve, paymentDecider.initialState());
    return {
      state,
      version: stored.length ? stored[stored.length - 1].streamVersion : 0,
      events,
      stored,
    };
  }

  /**
   * Decides `command` on the payment and records the result. `extra` runs
   * in the same transaction (also when nothing was decided, if given).
   * `known` is the state and version the caller just recorded: the first
   * attempt decides on it instead of reading the stream again (a conflict
   * still reloads).
   */
  async execute(
    paymentId: string,
    command: PaymentCommand,
    options: {
      correlationId?: string;
      extra?: ExtraWrites;
      known?: { state: PaymentState; version: number };
    } = {},
  ): Promise<Executed> {
    for (let attempt = 1; ; attempt++) {
      const { state, version } =
        attempt === 1 && options.known ? options.known : await this.load(paymentId);
      const events = paymentDecider.decide(command, state);
      const after = events.reduce(paymentDecider.evolve, state);
      if (events.length === 0 && !options.extra) return { events, state: after, version };
      try {
        const next = await this.record(paymentId, version, state, events, after, options);
        return { events, state: after, version: next };
      } catch (err) {
        if (!(err instanceof ExpectedVersionConflict) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  /**
   * Appends `events` at `version` (throws ExpectedVersionConflict when the
   * stream moved) with the work tables' rows and `extra` in the same
   * transaction: the event store's group-committed append, whose also-writes
   * run after the events were written. The rows go as statements, so that on
   * Postgres a batch of appends to different payments is one statement;
   * `extra` (terminal operations' answered requests, CloseBatch) is a
   * function, which sends its batch through BEGIN/COMMIT. Without events,
   * `extra` runs in a transaction of its own.
   */
  async record(
    paymentId: string,
    version: number,
    before: PaymentState,
    events: readonly PaymentEvent[],
    after: PaymentState,
    options: { correlationId?: string; extra?: ExtraWrites } = {},
  ): Promise<number> {
    const now = this.clock();
    const change: Change = { paymentId, before, events, after, nowMs: now.getTime() };
    const extra = options.extra;
    if (events.length === 0) {
      if (extra) await this.store.transaction((tx) => extra(tx, after));
      return version;
    }
    const merchantId = after.payment?.merchantId;
    const appended = await this.store.append(
      paymentStreamId(paymentId),
      version,
      events.map((event) =>
        paymentEventCodec.encode(event, {
          eventId: randomUUID(),
          occurredAt: now,
          merchantId,
          correlationId: options.correlationId,
        }),
      ),
      {
        alsoStatements: tableRows(change, version + events.length),
        also: extra && ((tx) => extra(tx, after)),
      },
    );
    return appended.nextExpectedVersion;
  }
}

export interface Change {
  readonly paymentId: string;
  readonly before: PaymentState;
  readonly events: readonly PaymentEvent[];
  readonly after: PaymentState;
  readonly nowMs: number;
}

/** The work tables' rows for `change`, whose events bring the stream to `version`. */
export function tableRows(
  { paymentId, before, events, after, nowMs }: Change,
  version: number,
): AlsoStatement[] {
  const rows: AlsoStatement[] = [];
  const initiated = events.find((e) => e.type === 'PaymentInitiated');
  if (initiated?.type === 'PaymentInitiated') {
    rows.push(...paymentRows.initiated(paymentId, initiated.data.terminalId, version, nowMs));
  } else if (events.length > 0) {
    // Only events change the state: leaving `pending` comes with some.
    const settled = before.status === 'pending' && after.status !== 'pending';
    rows.push(...paymentRows.appended(paymentId, version, settled));
  }
  // The queue's last word in these events: the statements of one append share a snapshot,
  // so a queue and an unqueue of the same payment in one append would not see each other.
  // (The decider never emits both in one decision; if it did, a queue after an unqueue would
  // keep an existing row as it is rather than start it afresh.)
  const queue = [...events]
    .reverse()
    .find((e) => e.type === 'ReversalPending' || e.type === 'PaymentReversed');
  if (queue?.type === 'ReversalPending') rows.push(paymentRows.reversalQueued(paymentId, nowMs));
  if (queue?.type === 'PaymentReversed') rows.push(paymentRows.reversalDone(paymentId));
  return rows;
}
