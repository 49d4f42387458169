import { foldLedger } from '../domain/ledger.state';
import { aReservation, aTransfer, anAccount } from '../testing/ledger.builders';
import { InMemoryLedgerJournal } from './in-memory-ledger.journal';
import { LedgerBooks } from './ledger-books';
import { JournalConflict, type LedgerJournal } from './ledger-journal.port';

const T0 = 1_764_000_000_000;
const accounts = [
  anAccount('bank').build(),
  anAccount('payable').ofType('merchant_payable').build(),
];

describe('LedgerBooks', () => {
  it('coalesces concurrent requests on a hot account into few appends, losing none', async () => {
    const journal = new InMemoryLedgerJournal();
    const books = new LedgerBooks(journal, { clock: () => T0 });
    await books.createAccounts(accounts);
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        books.createTransfers([aTransfer(`t${i}`, 'bank', 'payable', 1n)]),
      ),
    );
    expect(results.flat().every((r) => r === 'ok')).toBe(true);
    expect(journal.appends).toBeLessThan(10);
    expect(books.balances(['payable'])[0]).toMatchObject({ creditsPosted: 500n, currency: 'EUR' });
  });

  it('two writers on one journal: the loser catches up and decides again, so no update is lost and ids stay unique', async () => {
    const journal = new InMemoryLedgerJournal();
    const a = new LedgerBooks(journal, { clock: () => T0, maxAttempts: 50 });
    const b = new LedgerBooks(journal, { clock: () => T0, maxAttempts: 50 });
    await a.createAccounts(accounts);
    await b.catchUp();
    const submit = (books: LedgerBooks, i: number) =>
      books.createTransfers([aTransfer(`t${i % 150}`, 'bank', 'payable', 1n)]);
    const results = (
      await Promise.all(Array.from({ length: 300 }, (_, i) => submit(i % 2 ? a : b, i)))
    ).flat();
    expect(results.filter((r) => r === 'ok')).toHaveLength(150);
    expect(results.filter((r) => r === 'exists')).toHaveLength(150);
    await a.catchUp();
    await b.catchUp();
    const truth = foldLedger(journal.all()).accounts.get('payable')!.balance;
    expect(truth.creditsPosted).toBe(150n);
    expect(a.balances(['payable'])[0]).toMatchObject(truth);
    expect(b.balances(['payable'])[0]).toMatchObject(truth);
  });

  it('rebuilds balances and history by replaying the journal', async () => {
    const journal = new InMemoryLedgerJournal();
    let now = T0;
    const books = new LedgerBooks(journal, { clock: () => now });
    await books.createAccounts(accounts);
    await books.createTransfers([
      aTransfer('t1', 'bank', 'payable', 70n),
      aReservation('r1', 'bank', 'payable', 30n, 10),
    ]);
    now += 10_000;
    expect(await books.expirePending()).toBe(1);
    const replayed = new LedgerBooks(journal);
    await replayed.catchUp();
    expect(replayed.balances(['bank', 'payable', 'nope'])).toEqual(
      books.balances(['bank', 'payable', 'nope']),
    );
    expect(replayed.history('payable', 0, 10)).toEqual(books.history('payable', 0, 10));
    expect(
      replayed.history('payable', 0, 10).map((l) => [l.kind, l.pendingDelta, l.postedDelta]),
    ).toEqual([
      ['single', 0n, 70n],
      ['pending', 30n, 0n],
      ['expiry', -30n, 0n],
    ]);
  });

  it('gives up after maxAttempts conflicts and fails the batch without changing its state', async () => {
    const inner = new InMemoryLedgerJournal();
    const alwaysBehind: LedgerJournal = {
      read: (after) => inner.read(after),
      append: async (expected) => {
        throw new JournalConflict(expected, expected + 1);
      },
    };
    const books = new LedgerBooks(alwaysBehind, { maxAttempts: 3 });
    await expect(books.createAccounts(accounts)).rejects.toBeInstanceOf(JournalConflict);
    expect(books.accountExists('bank')).toBe(false);
  });
});
