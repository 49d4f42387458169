import type { Kafka } from 'kafkajs';
import {
  CheckpointedConsumer,
  deadLetterTopicFor,
  type EventStore,
  type Projection,
  type StoredEvent,
} from '@tillgate/event-store';
import { createLogger, type Logger } from '@tillgate/platform';
import type { LedgerBooks } from '../books/ledger-books';
import type { JournalEntry } from '../posting/posting-rules';
import {
  PAYMENTS_TOPIC,
  paymentPostingFor,
  POSTED_PAYMENT_EVENT_TYPES,
} from './payment-event.mapping';
import { LedgerPostingRefused } from './payment-posting.errors';

/** Kafka group and checkpoint key of the ledger's payment consumer; dead letters go to `tillgate.dlq.ledger-payments`. */
export const PAYMENT_POSTING_CONSUMER = 'ledger-payments';

export interface PaymentPostingConsumerOptions {
  kafka: Kafka;
  /** The ledger's event store (Postgres): its transactions carry the consumer's checkpoint. */
  store: EventStore;
  books: LedgerBooks;
  /** Default `tillgate.payments.v1`. */
  topic?: string;
  /** Kafka group id and checkpoint key; default `ledger-payments`. */
  name?: string;
  /** Default `tillgate.dlq.<name>`. */
  deadLetterTopic?: string;
  /** Attempts at one record before it is dead-lettered (default 3). */
  maxAttempts?: number;
  /** Pause between attempts, times the attempt number (default 200 ms). */
  retryDelayMs?: number;
  logger?: Logger;
}

/** On SQLite the checkpoint transaction and the books' appends would share one connection: see `PaymentPostingConsumer`. */
export class PaymentPostingNeedsPostgres extends Error {
  override readonly name = 'PaymentPostingNeedsPostgres';
  readonly code = 'PAYMENT_POSTING_NEEDS_POSTGRES';
  constructor(kind: string) {
    super(
      `posting payment events from Kafka needs the ledger's event store on Postgres, not ${kind}`,
    );
  }
}

/** The books are event-sourced: there is nothing a replay could reset. */
export class PaymentPostingNotReplayable extends Error {
  override readonly name = 'PaymentPostingNotReplayable';
  readonly code = 'PAYMENT_POSTING_NOT_REPLAYABLE';
  constructor() {
    super('the ledger posts payment events once; its books are not reset and replayed');
  }
}

/** Opens the entry's accounts (idempotently) and posts its linked legs; throws if the books refuse. */
async function post(
  books: LedgerBooks,
  eventId: string,
  entry: JournalEntry,
): Promise<'posted' | 'already_posted'> {
  // Accounts are never deleted: one this process knows needs no request; the books answer `exists` for the others.
  const missing = entry.accounts.filter((a) => !books.accountExists(a.id));
  if (missing.length > 0) {
    const opened = await books.createAccounts(missing);
    if (opened.some((r) => r !== 'ok' && r !== 'exists'))
      throw new LedgerPostingRefused(eventId, opened);
  }
  const results = await books.createTransfers(entry.transfers);
  if (results.some((r) => r !== 'ok' && r !== 'exists'))
    throw new LedgerPostingRefused(eventId, results);
  return results.every((r) => r === 'exists') ? 'already_posted' : 'posted';
}

/**
 * The projection the consumer feeds: each money event of a payment becomes
 * one journal entry in the books. A record the mapping refuses, or the
 * books refuse, throws; the consumer retries it, then dead-letters it.
 */
export function paymentPostingProjection(
  books: LedgerBooks,
  name: string,
  logger: Logger,
): Projection {
  return {
    name,
    eventTypes: POSTED_PAYMENT_EVENT_TYPES,
    // The books append ledger events (in their own transactions, not through `tx`). Declared so
    // that each event gets a checkpoint transaction of its own and a replay is refused.
    appendsEvents: true,
    async apply(event: StoredEvent): Promise<void> {
      const posting = paymentPostingFor(event);
      if (posting.outcome === 'ignore') {
        logger.debug(
          { eventId: event.eventId, type: event.type, reason: posting.reason },
          'nothing to book',
        );
        return;
      }
      const outcome = await post(books, event.eventId, posting.entry);
      const fields = { eventId: event.eventId, streamId: event.streamId, kind: posting.event.kind };
      if (outcome === 'already_posted')
        logger.info(
          fields,
          'payment event already in the books: delivered again before its checkpoint committed',
        );
      else logger.debug(fields, 'payment event posted');
    },
    async reset(): Promise<void> {
      throw new PaymentPostingNotReplayable();
    },
  };
}

/**
 * Posts the tenders' payment events (`tillgate.payments.v1`) to the ledger,
 * exactly once in effect. Two mechanisms, either of which suffices for a
 * given redelivery:
 *
 * 1. The checkpoint. `CheckpointedConsumer` records the event id as
 *    processed and the partition's next offset in one transaction of the
 *    ledger's database, after the books have posted it; a later delivery
 *    (the relay re-sending, a lost Kafka commit, a rebalance, the same
 *    record published twice) is skipped by offset or by id without reaching
 *    the books.
 * 2. The transfer ids. The books write in transactions of their own (one
 *    writer batches every caller), so the checkpoint does NOT commit with
 *    the ledger's events: a crash, or a failed checkpoint transaction,
 *    after the books appended and before the checkpoint committed leaves
 *    the event unrecorded and it is delivered again. The mapping is pure,
 *    so the redelivery yields the same entry with the same transfer ids
 *    (`<eventId>:<leg>`); the books read every event appended before
 *    deciding, and their stream's optimistic concurrency orders writers
 *    across processes, so those ids answer `exists` and nothing is
 *    appended. The legs are one linked chain, so an entry is in the books
 *    entirely or not at all.
 *
 * Postgres only: on SQLite the event store has one connection, which the
 * checkpoint transaction holds while the books write; their append runs
 * inside it and fails (SQLite has no nested transactions), or, when the
 * books' writer was started by another caller, waits for it forever.
 */
export class PaymentPostingConsumer {
  private readonly consumer: CheckpointedConsumer;
  readonly topic: string;
  readonly name: string;
  readonly deadLetterTopic: string;

  constructor(options: PaymentPostingConsumerOptions) {
    if (options.store.storage.kind !== 'postgres')
      throw new PaymentPostingNeedsPostgres(options.store.storage.kind);
    this.topic = options.topic ?? PAYMENTS_TOPIC;
    this.name = options.name ?? PAYMENT_POSTING_CONSUMER;
    this.deadLetterTopic = options.deadLetterTopic ?? deadLetterTopicFor(this.name);
    const logger = (options.logger ?? createLogger({ name: 'ledger' })).child({
      consumer: this.name,
    });
    this.consumer = new CheckpointedConsumer({
      kafka: options.kafka,
      store: options.store,
      projection: paymentPostingProjection(options.books, this.name, logger),
      topics: [this.topic],
      deadLetterTopic: this.deadLetterTopic,
      maxAttempts: options.maxAttempts,
      retryDelayMs: options.retryDelayMs,
      logger,
    });
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }
}
