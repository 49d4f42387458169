import {
  createKafka,
  EventStore,
  eventStoreEntities,
  eventStoreMigrations,
  type NewEvent,
  type StoredEvent,
} from '@tillgate/event-store';
import { openDataSource } from '@tillgate/persistence';
import { createLogger } from '@tillgate/platform';
import { InMemoryLedgerJournal } from '../books/in-memory-ledger.journal';
import { LedgerBooks } from '../books/ledger-books';
import { POSTED_PAYMENT_EVENT_TYPES } from './payment-event.mapping';
import {
  PaymentPostingConsumer,
  paymentPostingProjection,
  PaymentPostingNeedsPostgres,
} from './payment-posting.consumer';
import { LedgerPostingRefused, PaymentEventRefused } from './payment-posting.errors';
import { aPaymentEvent } from './testing/payment-event.builder';

const stored = (event: NewEvent, streamVersion = 1): StoredEvent => ({
  ...event,
  position: BigInt(streamVersion),
  streamId: 'payments-p1',
  streamVersion,
  recordedAt: event.occurredAt,
  correlationId: null,
  causationId: null,
  merchantId: event.merchantId ?? null,
});

describe('the payment posting projection (books in memory)', () => {
  const setUp = () => {
    const journal = new InMemoryLedgerJournal();
    const books = new LedgerBooks(journal, { clock: () => 1_764_000_000_000 });
    const projection = paymentPostingProjection(
      books,
      'ledger-payments',
      createLogger({ level: 'silent' }),
    );
    // The projection never writes through the consumer's transaction.
    const tx = {} as Parameters<typeof projection.apply>[1];
    return { journal, books, projection, apply: (e: StoredEvent) => projection.apply(e, tx) };
  };
  const payment = aPaymentEvent().by('m-42').viaScheme('visa');

  it('is subscribed to the four money events only, and not replayable', async () => {
    const { projection } = setUp();
    expect(projection.eventTypes).toEqual(POSTED_PAYMENT_EVENT_TYPES);
    expect(projection.appendsEvents).toBe(true);
    await expect(projection.reset({} as never)).rejects.toMatchObject({
      code: 'PAYMENT_POSTING_NOT_REPLAYABLE',
    });
  });

  it('posts a capture and its refund, and an event applied again appends nothing', async () => {
    const { journal, books, apply } = setUp();
    const captured = stored(payment.captured(10_000n, 250n));
    await apply(captured);
    await apply(stored(payment.refunded(4_000n, 100n), 2));
    const { version } = await journal.read(0);

    await apply(captured); // as after a checkpoint lost behind the books' write
    expect((await journal.read(0)).version).toBe(version);
    expect(
      books
        .balances(['merchant_payable:m-42:EUR', 'scheme_receivable:visa:EUR', 'fee_revenue:EUR'])
        .map((b) => b && b.creditsPosted - b.debitsPosted),
    ).toEqual([9_750n - 3_900n, -10_000n + 4_000n, 250n - 100n]);
  });

  it('books nothing for a reversal that unwound nothing', async () => {
    const { journal, apply } = setUp();
    await apply(stored(payment.reversed(0n, 0n)));
    expect((await journal.read(0)).events).toEqual([]);
  });

  it('throws the mapping refusal, for the dead-letter topic', async () => {
    const { journal, apply } = setUp();
    await expect(apply(stored(payment.captured(100n, 101n)))).rejects.toBeInstanceOf(
      PaymentEventRefused,
    );
    expect((await journal.read(0)).events).toEqual([]);
  });

  it('throws when the books refuse the entry: a transfer id already taken by another amount', async () => {
    const { books, apply } = setUp();
    const captured = stored(payment.captured(10_000n, 250n));
    await apply(captured);
    const tampered = stored({ ...payment.captured(10_001n, 250n), eventId: captured.eventId });
    const refusal = apply(tampered);
    await expect(refusal).rejects.toBeInstanceOf(LedgerPostingRefused);
    await expect(refusal).rejects.toMatchObject({
      code: 'LEDGER_POSTING_REFUSED',
      results: ['exists_with_different_amount', 'linked_event_failed'],
    });
    expect(books.balances(['merchant_payable:m-42:EUR'])[0]?.creditsPosted).toBe(9_750n);
  });
});

describe('PaymentPostingConsumer', () => {
  it('refuses an event store on SQLite', async () => {
    const dataSource = await openDataSource({
      url: 'sqlite::memory:',
      entities: eventStoreEntities('sqlite'),
      migrations: eventStoreMigrations,
    });
    try {
      const store = new EventStore(dataSource);
      expect(
        () =>
          new PaymentPostingConsumer({
            kafka: createKafka({ brokers: ['127.0.0.1:1'], clientId: 'unused' }),
            store,
            books: new LedgerBooks(new InMemoryLedgerJournal()),
          }),
      ).toThrow(PaymentPostingNeedsPostgres);
      await store.close();
    } finally {
      await dataSource.destroy();
    }
  });
});
