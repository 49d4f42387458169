import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { cardInsertEventsV1 } from '@tillgate/contracts';
import {
  EventStore,
  eventStoreEntities,
  eventStoreMigrations,
  OutboxRelay,
  toKafkaMessage,
  type NewEvent,
} from '@tillgate/event-store';
import { openDataSource } from '@tillgate/persistence';
import { createLogger } from '@tillgate/platform';
import { EventStoreLedgerJournal } from '../books/event-store-ledger.journal';
import { foldLedger } from '../domain/ledger.state';
import { loadLedgerConfig } from '../ledger.config';
import { startLedger, type RunningLedger } from '../start-ledger';
import { PAYMENT_EVENT_TYPES } from './payment-event.mapping';
import { aPaymentEvent } from './testing/payment-event.builder';
import {
  createPostgresDatabase,
  createTopics,
  deleteTopics,
  endOffsets,
  paymentsTestEnv,
  runId,
  testKafka,
  waitUntil,
} from './testing/payments-test-env';

jest.setTimeout(120_000);

/**
 * The ledger service (startLedger, as apps/ledger runs it) posting the
 * payment events a tender appended to its own event store on Postgres and
 * OutboxRelay published to Kafka. Everything real: Postgres, the Kafka
 * broker, the relay, the consumer; names unique to this run.
 */
describe('the ledger posts payment events from Kafka exactly once in effect', () => {
  const run = runId();
  const topic = `tillgate.payments${run}.v1`;
  const group = `ledger-payments-${run}`;
  const deadLetterTopic = `tillgate.dlq.${group}`;
  const logLines: string[] = [];
  const logger = createLogger(
    { level: 'debug', name: 'ledger' },
    { write: (line: string) => void logLines.push(line) },
  );

  let tenderDatabase: { url: string; drop(): Promise<void> };
  let ledgerDatabase: { url: string; drop(): Promise<void> };
  let tenderDataSource: DataSource;
  let ledgerDataSource: DataSource;
  let tender: EventStore;
  let relay: OutboxRelay;
  let kafka: Kafka;
  let rawProducer: Producer;
  let ledger: RunningLedger | null = null;
  /** Every event the tender appended, in order; `poison` ones are expected on the DLQ. */
  const appended: NewEvent[] = [];
  const poison = new Set<string>();
  const versions = new Map<string, number>();

  const startLedgerService = async () => {
    ledger = await startLedger(
      loadLedgerConfig({
        TILLGATE_GRPC_PORT: '0',
        LEDGER_JOURNAL: 'event-store',
        DATABASE_URL: ledgerDatabase.url,
        LEDGER_EXPIRY_SWEEP_MS: '0',
        LEDGER_KAFKA_BROKERS: paymentsTestEnv().brokers.join(','),
        LEDGER_PAYMENTS_TOPIC: topic,
        LEDGER_PAYMENTS_CONSUMER_GROUP: group,
        LOG_LEVEL: 'debug',
      }),
      { logger },
    );
  };
  const stopLedgerService = async () => {
    await ledger?.close();
    ledger = null;
  };

  /** Appends to `payments-<id>` at the version the tender last wrote, as the payment aggregate does. */
  const appendPayment = async (paymentId: string, ...events: NewEvent[]) => {
    const stream = `payments-${paymentId}`;
    const result = await tender.append(stream, versions.get(stream) ?? 0, events);
    versions.set(stream, result.nextExpectedVersion);
    appended.push(...events);
    return events;
  };

  /** Waits until the relay published everything and the ledger's checkpoint reached the end of every partition. */
  const postedEverything = async () => {
    await waitUntil(async () => (await relay.measureLag())?.events === 0, {
      what: 'the relay to publish',
    });
    const ends = await endOffsets(kafka, topic);
    await waitUntil(
      async () => {
        const rows: { partition: number; next_offset: string }[] = await ledgerDataSource.query(
          'SELECT partition, next_offset FROM es_consumer_offsets WHERE consumer = $1 AND topic = $2',
          [group, topic],
        );
        return [...ends].every(
          ([p, end]) =>
            end === 0n || rows.some((r) => r.partition === p && BigInt(r.next_offset) >= end),
        );
      },
      { what: 'the ledger consumer to reach the end of the topic' },
    );
  };

  /** What the books hold, read from the ledger's database. */
  const books = async () => {
    const { events, version } = await new EventStoreLedgerJournal(
      new EventStore(ledgerDataSource),
    ).read(0);
    const state = foldLedger(events);
    const net = new Map<string, bigint>();
    let debits = 0n;
    let credits = 0n;
    for (const [id, { balance }] of state.accounts) {
      debits += balance.debitsPosted;
      credits += balance.creditsPosted;
      const n = balance.creditsPosted - balance.debitsPosted;
      if (n !== 0n) net.set(id, n);
    }
    const transferIds = events.flatMap((e) =>
      e.type === 'TransferRecorded' ? [e.data.transfer.id] : [],
    );
    return { net, debits, credits, transferIds, version };
  };

  /**
   * The oracle: each account's credits minus debits, computed from the
   * events by hand (capture: the scheme owes the amount, the merchant is
   * owed it less the fee, the fee is ours; refund, void, reversal: the
   * mirror), independently of the posting rules' code.
   */
  const expectedNet = () => {
    const net = new Map<string, bigint>();
    const add = (id: string, by: bigint) => net.set(id, (net.get(id) ?? 0n) + by);
    const book = (
      sign: 1n | -1n,
      m: { currency: string; merchantId: string; scheme: string; feeMinor: string },
      amountMinor: string,
    ) => {
      const amount = BigInt(amountMinor);
      const fee = BigInt(m.feeMinor);
      add(`scheme_receivable:${m.scheme}:${m.currency}`, -sign * amount);
      add(`merchant_payable:${m.merchantId}:${m.currency}`, sign * (amount - fee));
      add(`fee_revenue:${m.currency}`, sign * fee);
    };
    for (const e of appended) {
      if (poison.has(e.eventId)) continue;
      switch (e.type) {
        case PAYMENT_EVENT_TYPES.captured: {
          const m = cardInsertEventsV1.PaymentCaptured.decode(e.payload);
          book(1n, m, m.amountMinor);
          break;
        }
        case PAYMENT_EVENT_TYPES.refunded: {
          const m = cardInsertEventsV1.PaymentRefunded.decode(e.payload);
          book(-1n, m, m.amountMinor);
          break;
        }
        case PAYMENT_EVENT_TYPES.voided: {
          const m = cardInsertEventsV1.PaymentVoided.decode(e.payload);
          book(-1n, m, m.amountMinor);
          break;
        }
        case PAYMENT_EVENT_TYPES.reversed: {
          const m = cardInsertEventsV1.PaymentReversed.decode(e.payload);
          book(-1n, m, m.unwoundAmountMinor);
          break;
        }
      }
    }
    for (const [id, n] of net) if (n === 0n) net.delete(id);
    return net;
  };

  /** Transfers the events should have recorded: one per non-zero leg. */
  const expectedTransferCount = () =>
    appended.reduce((count, e) => {
      if (poison.has(e.eventId)) return count;
      const legs = (m: { feeMinor: string }, amountMinor: string) =>
        BigInt(amountMinor) === 0n ? 0 : BigInt(m.feeMinor) === 0n ? 1 : 2;
      switch (e.type) {
        case PAYMENT_EVENT_TYPES.captured: {
          const m = cardInsertEventsV1.PaymentCaptured.decode(e.payload);
          return count + legs(m, m.amountMinor);
        }
        case PAYMENT_EVENT_TYPES.refunded: {
          const m = cardInsertEventsV1.PaymentRefunded.decode(e.payload);
          return count + legs(m, m.amountMinor);
        }
        case PAYMENT_EVENT_TYPES.voided: {
          const m = cardInsertEventsV1.PaymentVoided.decode(e.payload);
          return count + legs(m, m.amountMinor);
        }
        case PAYMENT_EVENT_TYPES.reversed: {
          const m = cardInsertEventsV1.PaymentReversed.decode(e.payload);
          return count + legs(m, m.unwoundAmountMinor);
        }
        default:
          return count;
      }
    }, 0);

  const expectBooksToMatchTheEvents = async () => {
    const held = await books();
    expect(held.net).toEqual(expectedNet());
    expect(held.debits).toBe(held.credits);
    expect(new Set(held.transferIds).size).toBe(held.transferIds.length);
    expect(held.transferIds).toHaveLength(expectedTransferCount());
    return held;
  };

  /** Publishes the tender's stored events again, as a relay re-sending after a crash would. */
  const republishAll = async () => {
    const stored = await tender.readAll({ limit: 100_000 });
    await rawProducer.send({ topic, acks: -1, messages: stored.map(toKafkaMessage) });
    return stored.length;
  };

  /** A few payments of every kind, on two schemes, two merchants and two currencies. */
  const somePayments = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const visa = aPaymentEvent()
        .by(`m-${i % 2}`)
        .viaScheme('visa');
      const mc = aPaymentEvent()
        .by(`m-${i % 2}`)
        .viaScheme('mastercard')
        .inCurrency('GBP');
      await appendPayment(
        `${run}-a${i}`,
        visa.initiated(10_000n),
        visa.captured(10_000n + BigInt(i), 250n),
      );
      await appendPayment(`${run}-a${i}`, visa.refunded(4_000n, 100n));
      await appendPayment(`${run}-b${i}`, mc.captured(5_000n, 0n), mc.voided(5_000n, 0n));
      await appendPayment(`${run}-c${i}`, visa.captured(2_000n, 50n), visa.reversed(2_000n, 50n));
      await appendPayment(`${run}-d${i}`, visa.reversed(0n, 0n)); // never captured: nothing unwound
    }
  };

  beforeAll(async () => {
    [tenderDatabase, ledgerDatabase] = await Promise.all([
      createPostgresDatabase('tender_payments'),
      createPostgresDatabase('ledger_payments'),
    ]);
    tenderDataSource = await openDataSource({
      url: tenderDatabase.url,
      entities: eventStoreEntities('postgres'),
      migrations: eventStoreMigrations,
    });
    // The tender's store routes its payment streams to this run's topic instead of tillgate.payments.v1.
    tender = new EventStore(tenderDataSource, { topicFor: () => topic });
    kafka = testKafka(`ledger-payments-test-${run}`);
    await createTopics(kafka, [topic, deadLetterTopic], 3);
    relay = new OutboxRelay(tenderDataSource, {
      kafka,
      store: tender,
      name: `tender-${run}`,
      idleDelayMs: 5,
      logger: createLogger({ level: 'silent' }),
    });
    relay.start();
    rawProducer = kafka.producer();
    await rawProducer.connect();
    await startLedgerService();
    ledgerDataSource = await openDataSource({
      url: ledgerDatabase.url,
      entities: eventStoreEntities('postgres'),
      migrations: eventStoreMigrations,
    });
  });

  afterAll(async () => {
    await stopLedgerService();
    await rawProducer?.disconnect();
    await relay?.stop();
    await tender?.close();
    await tenderDataSource?.destroy();
    await ledgerDataSource?.destroy();
    if (kafka) await deleteTopics(kafka, [topic, deadLetterTopic]);
    await tenderDatabase?.drop();
    await ledgerDatabase?.drop();
  });

  it('books every money event once as the rule table says; debits equal credits', async () => {
    await somePayments(5);
    await postedEverything();

    const held = await expectBooksToMatchTheEvents();
    expect(held.net.get('merchant_payable:m-0:EUR')).toBe(
      // m-0 has payments 0, 2, 4: captured 10,000 + i less 250, refunded 4,000 less 100; the reversal nets 0.
      3n * (10_000n - 250n - (4_000n - 100n)) + (0n + 2n + 4n),
    );
    expect(held.net.get('fee_revenue:EUR')).toBe(5n * (250n - 100n));
    expect(held.net.has('fee_revenue:GBP')).toBe(false);
    expect(held.net.has('merchant_payable:m-1:GBP')).toBe(false); // captured and voided
  });

  it('posts nothing more for the same records published again, across a restart mid-way', async () => {
    const before = await books();
    await somePayments(20); // new work, so the restart lands in the middle of it
    const republished = await republishAll();
    expect(republished).toBe(appended.length);

    // Stop the service while it is posting, then start it again: the books replay, the consumer resumes.
    const seen = before.transferIds.length;
    await waitUntil(async () => (await books()).transferIds.length >= seen + 10, {
      what: 'the ledger to post some of the new payments',
    });
    await stopLedgerService();
    const midway = (await books()).transferIds.length;
    expect(midway).toBeLessThan(expectedTransferCount());
    await startLedgerService();
    await postedEverything();

    await expectBooksToMatchTheEvents();
  });

  it('posts nothing more when the checkpoint is lost after the books wrote: the transfer ids answer exists', async () => {
    // Fault injection in the real database: the checkpoint's offset write fails twice, after the
    // books committed the entry (the crash window between the ledger's write and the checkpoint).
    await ledgerDataSource.query(`
      CREATE SEQUENCE checkpoint_faults;
      CREATE FUNCTION fail_checkpoint() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('checkpoint_faults') <= 2 THEN RAISE EXCEPTION 'injected checkpoint failure'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER fail_checkpoint BEFORE INSERT OR UPDATE ON es_consumer_offsets
        FOR EACH ROW EXECUTE FUNCTION fail_checkpoint();`);
    try {
      const [captured] = await appendPayment(
        `${run}-crash`,
        aPaymentEvent().by('m-crash').captured(7_000n, 70n),
      );
      await postedEverything();
      const [{ faults }] = await ledgerDataSource.query(
        'SELECT last_value AS faults FROM checkpoint_faults',
      );
      expect(Number(faults)).toBeGreaterThanOrEqual(3); // two failed checkpoints, then the one that held
      const held = await expectBooksToMatchTheEvents();
      expect(held.net.get('merchant_payable:m-crash:EUR')).toBe(6_930n);
      expect(held.transferIds.filter((id) => id.startsWith(captured.eventId))).toHaveLength(2);
      expect(logLines.some((l) => l.includes('already in the books'))).toBe(true);
    } finally {
      await ledgerDataSource.query(
        'DROP TRIGGER fail_checkpoint ON es_consumer_offsets; DROP FUNCTION fail_checkpoint()',
      );
    }

    // Worse: the whole checkpoint and the group's Kafka offsets are lost. Everything is delivered
    // again, and every entry answers exists: not one ledger event is appended.
    await stopLedgerService();
    const before = await books();
    await ledgerDataSource.query('DELETE FROM es_consumer_offsets WHERE consumer = $1', [group]);
    await ledgerDataSource.query('DELETE FROM es_consumer_processed WHERE consumer = $1', [group]);
    const admin = kafka.admin();
    await admin.connect();
    await admin.resetOffsets({ groupId: group, topic, earliest: true });
    await admin.disconnect();
    await startLedgerService();
    await postedEverything();
    expect((await books()).version).toBe(before.version);
    await expectBooksToMatchTheEvents();
  });

  it('dead-letters a record it cannot decode and an event the posting rules refuse, and goes on', async () => {
    await rawProducer.send({
      topic,
      acks: -1,
      messages: [{ key: `payments-${run}-junk`, value: Buffer.from([0xff, 0xfe, 0x00]) }],
    });
    const [refused] = await appendPayment(
      `${run}-bad`,
      aPaymentEvent().by('m-bad').captured(100n, 101n), // the fee exceeds the amount
    );
    poison.add(refused.eventId);
    await appendPayment(`${run}-after`, aPaymentEvent().by('m-after').captured(1_000n, 10n));
    await postedEverything();

    await expectBooksToMatchTheEvents();
    expect((await books()).net.get('merchant_payable:m-after:EUR')).toBe(990n);

    const letters: Record<string, string>[] = [];
    const reader = kafka.consumer({ groupId: `dlq-reader-${run}` });
    await reader.connect();
    await reader.subscribe({ topic: deadLetterTopic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        letters.push(
          Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        );
      },
    });
    await waitUntil(() => letters.length >= 2, { what: 'two dead letters' });
    await reader.disconnect();
    expect(letters).toHaveLength(2);
    expect(letters.find((l) => l['dlq-reason'] === 'UNDECODABLE_RECORD')).toMatchObject({
      'dlq-consumer': group,
      'dlq-source-topic': topic,
    });
    expect(letters.find((l) => l['dlq-reason'] === 'HANDLER_FAILED')).toMatchObject({
      'event-id': refused.eventId,
      'dlq-error-code': 'PAYMENT_EVENT_REFUSED',
      'dlq-error': 'tillgate.card_insert.v1.PaymentCaptured.fee_minor: fee exceeds amount',
      'dlq-consumer': group,
    });
    const [{ outcome }] = await ledgerDataSource.query(
      'SELECT outcome FROM es_consumer_processed WHERE consumer = $1 AND event_id = $2',
      [group, refused.eventId],
    );
    expect(outcome).toBe('dead-lettered');
  });
});
