import { EventStore } from '@tillgate/event-store';
import type { DataSource } from 'typeorm';
import { foldLedger } from '../domain/ledger.state';
import type { CreateTransferResult } from '../domain/ledger.types';
import { aPost, aReservation, aTransfer, anAccount } from '../testing/ledger.builders';
import { freshLedgerDatabase } from '../testing/ledger-database';
import { EventStoreLedgerJournal } from './event-store-ledger.journal';
import { LedgerBooks } from './ledger-books';

/**
 * Several ledger writers (standing in for service processes, each with its
 * own EventStore and connection pool) on one real Postgres, with many
 * concurrent clients on one hot merchant account.
 */
describe('the ledger on Postgres through the event store', () => {
  let db: { dataSource: DataSource; drop(): Promise<void> };
  let now = 1_764_000_000_000;
  const clock = () => now;

  beforeAll(async () => {
    db = await freshLedgerDatabase(20);
  });
  afterAll(async () => db.drop());

  const writer = () =>
    new LedgerBooks(new EventStoreLedgerJournal(new EventStore(db.dataSource)), {
      clock,
      maxAttempts: 20,
    });

  it('loses no update on a hot account under concurrent clients and writers, and records each id once', async () => {
    const writers = [writer(), writer(), writer()];
    await writers[0].createAccounts([
      anAccount('float').ofType('partner_float').withCreditsCappedByDebits().build(),
      anAccount('hot').ofType('merchant_payable').build(),
      anAccount('scheme').ofType('scheme_receivable').build(),
    ]);
    await Promise.all(writers.map((w) => w.catchUp()));
    await writers[1].createTransfers([aTransfer('fund', 'float', 'scheme', 1_000n)]);

    // 600 requests; ids repeat twice (the second is a retry); reservations race for a float of 1,000.
    const requests = Array.from({ length: 600 }, (_, i) => {
      const n = i % 300;
      return n % 3 === 0
        ? aReservation(`r${n}`, 'hot', 'float', 10n)
        : aTransfer(`t${n}`, 'scheme', 'hot', 7n);
    });
    const results: CreateTransferResult[] = (
      await Promise.all(requests.map((r, i) => writers[i % 3].createTransfers([r])))
    ).flat();

    const firstTries = results.slice(0, 300);
    const retries = results.slice(300);
    expect(firstTries.filter((r) => r !== 'ok')).toEqual([]);
    // Each retry goes to the same writer as its first try, in a later batch or later in the same one.
    expect(retries.filter((r) => r !== 'exists')).toEqual([]);

    const fresh = writer();
    await fresh.catchUp();
    const journal = await new EventStoreLedgerJournal(new EventStore(db.dataSource)).read(0);
    const truth = foldLedger(journal.events);
    const recorded = journal.events.flatMap((e) =>
      e.type === 'TransferRecorded' ? [e.data.transfer.id] : [],
    );
    expect(new Set(recorded).size).toBe(recorded.length);
    expect(truth.accounts.get('hot')!.balance).toEqual({
      debitsPending: 1_000n,
      debitsPosted: 0n,
      creditsPending: 0n,
      creditsPosted: 200n * 7n,
    });
    for (const books of [fresh, ...writers]) {
      await books.catchUp();
      expect(
        books
          .balances(['hot', 'float', 'scheme'])
          .map((b) => b && { ...b, accountId: undefined, currency: undefined }),
      ).toEqual(
        ['hot', 'float', 'scheme'].map((id) => ({
          ...truth.accounts.get(id)!.balance,
          accountId: undefined,
          currency: undefined,
        })),
      );
    }
  }, 60_000);

  it('expires, posts and voids reservations, and a replay rebuilds the same history', async () => {
    const books = writer();
    await books.catchUp();
    expect(
      await books.createTransfers([
        aReservation('x1', 'hot', 'scheme', 5n, 2),
        aReservation('x2', 'hot', 'scheme', 5n, 60),
      ]),
    ).toEqual(['ok', 'ok']);
    now += 2_000;
    expect(await books.expirePending()).toBe(1);
    expect(
      await books.createTransfers([aPost('x2-post', 'x2', 3n), aPost('x1-post', 'x1')]),
    ).toEqual(['ok', 'pending_transfer_expired']);
    const replayed = writer();
    await replayed.catchUp();
    expect(replayed.history('hot', 0, 10_000)).toEqual(books.history('hot', 0, 10_000));
    expect(replayed.balances(['hot'])).toEqual(books.balances(['hot']));
  }, 30_000);

  it('coalesces more requests than one append holds into several appends, refusing none', async () => {
    const books = writer();
    await books.createAccounts([
      anAccount('bulk-scheme').ofType('scheme_receivable').build(),
      anAccount('bulk-payable').ofType('merchant_payable').build(),
    ]);
    // 12,000 transfers queued at once: more than one batch (8,190) or one append holds.
    void books.catchUp();
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, r) =>
        books.createTransfers(
          Array.from({ length: 100 }, (_, i) =>
            aTransfer(`bulk-${r}-${i}`, 'bulk-scheme', 'bulk-payable', 3n),
          ),
        ),
      ),
    );
    expect(results.flat().filter((r) => r !== 'ok')).toEqual([]);
    const replayed = writer();
    await replayed.catchUp();
    expect(replayed.balances(['bulk-payable'])[0]).toMatchObject({ creditsPosted: 36_000n });
  }, 60_000);

  it('records one request of 8,190 transfers (a full TigerBeetle-size batch) in one append', async () => {
    const books = writer();
    await books.createAccounts([
      anAccount('full-scheme').ofType('scheme_receivable').build(),
      anAccount('full-payable').ofType('merchant_payable').build(),
    ]);
    const results = await books.createTransfers(
      Array.from({ length: 8_190 }, (_, i) =>
        aTransfer(`full-${i}`, 'full-scheme', 'full-payable', 1n),
      ),
    );
    expect(results.filter((r) => r !== 'ok')).toEqual([]);
    const replayed = writer();
    await replayed.catchUp();
    expect(replayed.balances(['full-payable'])[0]).toMatchObject({ creditsPosted: 8_190n });
  }, 60_000);
});
