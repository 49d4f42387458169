import { foldLedger } from '../domain/ledger.state';
import type { CreateTransferResult, TransferRequest } from '../domain/ledger.types';
import {
  aPost,
  aReservation,
  aTransfer,
  aVoid,
  anAccount,
  linked,
} from '../testing/ledger.builders';
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

  it('coalesces requests only up to what one append of the journal holds', async () => {
    const journal = new InMemoryLedgerJournal(10);
    const books = new LedgerBooks(journal, { clock: () => T0 });
    await books.createAccounts(accounts);
    // The writer starts on the first request at once; a catch-up first makes the others queue behind it.
    void books.catchUp();
    const results = await Promise.all(
      Array.from({ length: 45 }, (_, i) =>
        books.createTransfers([aTransfer(`t${i}`, 'bank', 'payable', 1n)]),
      ),
    );
    expect(results.flat().every((r) => r === 'ok')).toBe(true);
    // 1 append for the accounts, then 45 requests of one item in appends of at most 10.
    expect(journal.appends).toBe(1 + 5);
    expect(books.balances(['payable'])[0]).toMatchObject({ creditsPosted: 45n });
  });

  it('answers coalesced requests as it would answer them one at a time', async () => {
    const requests: TransferRequest[][] = [
      [aTransfer('t1', 'bank', 'payable', 5n)],
      // Ends inside a linked chain: alone, that chain fails; it must not swallow the next request.
      [
        linked(aTransfer('t2', 'bank', 'payable', 1n)),
        linked(aTransfer('t3', 'bank', 'payable', 1n)),
      ],
      [aTransfer('t3', 'bank', 'payable', 2n)],
      [aTransfer('t1', 'bank', 'payable', 5n), aTransfer('t1', 'bank', 'payable', 6n)],
      [aReservation('r1', 'capped', 'payable', 8n), aReservation('r2', 'capped', 'payable', 3n)],
      [aPost('p1', 'r1', 2n), aVoid('v1', 'r1')],
      [],
      [linked(aTransfer('t4', 'payable', 'bank', 1n)), aTransfer('t5', 'bank', 'bank', 1n)],
    ];
    const setUp = async () => {
      const journal = new InMemoryLedgerJournal();
      const books = new LedgerBooks(journal, { clock: () => T0 });
      await books.createAccounts([
        ...accounts,
        anAccount('capped').ofType('partner_float').thatCannotGoNegative().build(),
      ]);
      await books.createTransfers([aTransfer('fund', 'bank', 'capped', 10n)]);
      return { journal, books };
    };
    const oneAtATime = await setUp();
    const alone: CreateTransferResult[][] = [];
    for (const r of requests) alone.push(await oneAtATime.books.createTransfers(r));
    const together = await setUp();
    const appendsBefore = together.journal.appends;
    void together.books.catchUp();
    const coalesced = await Promise.all(requests.map((r) => together.books.createTransfers(r)));

    expect(together.journal.appends - appendsBefore).toBe(1);
    expect(coalesced).toEqual(alone);
    expect(alone).toEqual([
      ['ok'],
      ['linked_event_failed', 'linked_event_chain_open'],
      ['ok'],
      ['exists', 'exists_with_different_amount'],
      ['ok', 'exceeds_credits'],
      ['ok', 'pending_transfer_already_posted'],
      [],
      ['linked_event_failed', 'accounts_must_be_different'],
    ]);
    expect(together.journal.all()).toEqual(oneAtATime.journal.all());
    const ids = ['bank', 'payable', 'capped'];
    expect(together.books.balances(ids)).toEqual(oneAtATime.books.balances(ids));
  });

  it('lets a request see accounts opened earlier in the same batch, and gives the same history', async () => {
    const journal = new InMemoryLedgerJournal();
    const books = new LedgerBooks(journal, { clock: () => T0 });
    void books.catchUp();
    const [opened, moved, again] = await Promise.all([
      books.createAccounts(accounts),
      books.createTransfers([aTransfer('t1', 'bank', 'payable', 7n)]),
      books.createTransfers([aTransfer('t1', 'bank', 'payable', 7n)]),
    ]);
    expect([opened, moved, again]).toEqual([['ok', 'ok'], ['ok'], ['exists']]);
    expect(journal.appends).toBe(1);
    const replayed = new LedgerBooks(journal);
    await replayed.catchUp();
    expect(replayed.balances(['bank', 'payable'])).toEqual(books.balances(['bank', 'payable']));
    expect(replayed.history('payable', 0, 10)).toEqual(books.history('payable', 0, 10));
  });
});
