import {
  aPost,
  aReservation,
  aTransfer,
  aVoid,
  anAccount,
  linked,
} from '../testing/ledger.builders';
import { createAccounts, createTransfers, ledgerDecider } from './ledger.decider';
import type { LedgerEvent } from './ledger.events';
import {
  cloneState,
  foldLedger,
  forkState,
  initialLedgerState,
  type LedgerState,
} from './ledger.state';
import type { Account, TransferRequest } from './ledger.types';

const T0 = 1_764_000_000_000;

function given(accounts: Account[], transfers: TransferRequest[] = [], now = T0): LedgerState {
  const opened = createAccounts(initialLedgerState(), accounts);
  const state = foldLedger(opened.events);
  const moved = createTransfers(state, transfers, now);
  expect(moved.results.every((r) => r === 'ok')).toBe(true);
  return foldLedger(moved.events, state);
}

const balance = (state: LedgerState, id: string) => state.accounts.get(id)!.balance;
const float = anAccount('float').ofType('partner_float').thatCannotGoNegative().build();
const payable = anAccount('payable').ofType('merchant_payable').build();
const bank = anAccount('bank').ofType('suspense').build();

describe('ledger decider', () => {
  describe('accounts', () => {
    it('opens new accounts and answers exists for an identical retry', () => {
      const state = given([float]);
      const { events, results } = createAccounts(state, [float, payable]);
      expect(results).toEqual(['exists', 'ok']);
      expect(events).toEqual([{ type: 'AccountOpened', data: { account: payable } }]);
    });

    it('refuses a reused id with another body, a bad currency and both flags at once', () => {
      const state = given([float]);
      const { events, results } = createAccounts(state, [
        { ...float, currency: 'USD' },
        anAccount('x').inCurrency('eur').build(),
        {
          ...anAccount('y').build(),
          flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: true },
        },
        { ...float, reference: 'other' },
      ]);
      expect(results).toEqual([
        'exists_with_different_currency',
        'currency_must_be_iso_4217',
        'flags_are_mutually_exclusive',
        'exists_with_different_reference',
      ]);
      expect(events).toEqual([]);
    });
  });

  describe('single transfers', () => {
    it('debits one account and credits the other', () => {
      const state = given([bank, payable], [aTransfer('t1', 'bank', 'payable', 1250n)]);
      expect(balance(state, 'bank')).toMatchObject({ debitsPosted: 1250n, creditsPosted: 0n });
      expect(balance(state, 'payable')).toMatchObject({ debitsPosted: 0n, creditsPosted: 1250n });
    });

    it('is idempotent by id: same body = exists, other body = typed error, nothing recorded', () => {
      const state = given([bank, payable], [aTransfer('t1', 'bank', 'payable', 1250n)]);
      const { events, results } = createTransfers(
        state,
        [
          aTransfer('t1', 'bank', 'payable', 1250n),
          aTransfer('t1', 'bank', 'payable', 1251n),
          aTransfer('t1', 'payable', 'bank', 1250n),
          { ...aTransfer('t1', 'bank', 'payable', 1250n), code: 'refund' },
          aReservation('t1', 'bank', 'payable', 1250n),
        ],
        T0 + 1,
      );
      expect(results).toEqual([
        'exists',
        'exists_with_different_amount',
        'exists_with_different_debit_account_id',
        'exists_with_different_code',
        'exists_with_different_kind',
      ]);
      expect(events).toEqual([]);
    });

    it('refuses a transfer between currencies', () => {
      const usd = anAccount('usd').inCurrency('USD').build();
      const state = given([bank, usd]);
      expect(createTransfers(state, [aTransfer('t1', 'bank', 'usd', 1n)], T0).results).toEqual([
        'accounts_must_have_the_same_currency',
      ]);
      expect(
        createTransfers(state, [aTransfer('t2', 'bank', 'payable', 1n, 'USD')], T0).results,
      ).toEqual(['credit_account_not_found']);
    });

    it('refuses a debit above the credits of a float that cannot go negative', () => {
      const state = given([float, bank], [aTransfer('fund', 'bank', 'float', 100n)]);
      const { results } = createTransfers(
        state,
        [aTransfer('t1', 'float', 'bank', 101n), aTransfer('t2', 'float', 'bank', 100n)],
        T0,
      );
      expect(results).toEqual(['exceeds_credits', 'ok']);
    });

    it('refuses a credit above the debits of an account with credits capped by debits', () => {
      const receivable = anAccount('scheme')
        .ofType('scheme_receivable')
        .withCreditsCappedByDebits()
        .build();
      const state = given([receivable, bank]);
      expect(createTransfers(state, [aTransfer('t1', 'bank', 'scheme', 1n)], T0).results).toEqual([
        'exceeds_debits',
      ]);
    });

    it('validates each field', () => {
      const state = given([bank, payable]);
      const { results } = createTransfers(
        state,
        [
          aTransfer('', 'bank', 'payable', 1n),
          aTransfer('a', 'bank', 'payable', 0n),
          aTransfer('b', 'bank', 'payable', 2n ** 63n),
          aTransfer('c', 'bank', 'bank', 1n),
          aTransfer('d', 'nope', 'payable', 1n),
          aTransfer('e', 'bank', 'payable', 1n, 'eur'),
          aTransfer('f', 'bank', 'payable', 1n, 'USD'),
        ],
        T0,
      );
      expect(results).toEqual([
        'id_must_not_be_empty',
        'amount_must_be_positive',
        'amount_exceeds_maximum',
        'accounts_must_be_different',
        'debit_account_not_found',
        'currency_must_be_iso_4217',
        'transfer_must_have_the_same_currency_as_accounts',
      ]);
    });
  });

  describe('linked batches', () => {
    it('records nothing of a chain when one item fails, and names the one that failed', () => {
      const state = given([float, bank, payable], [aTransfer('fund', 'bank', 'float', 100n)]);
      const { events, results } = createTransfers(
        state,
        [
          linked(aTransfer('a', 'float', 'payable', 60n)),
          linked(aTransfer('b', 'float', 'payable', 60n)),
          aTransfer('c', 'bank', 'payable', 1n),
          aTransfer('d', 'bank', 'payable', 1n),
        ],
        T0,
      );
      expect(results).toEqual([
        'linked_event_failed',
        'exceeds_credits',
        'linked_event_failed',
        'ok',
      ]);
      expect(events.map((e) => e.type === 'TransferRecorded' && e.data.transfer.id)).toEqual(['d']);
    });

    it('records a whole chain when every item succeeds, later items seeing earlier ones', () => {
      const state = given([float, bank, payable]);
      const { results } = createTransfers(
        state,
        [
          linked(aTransfer('fund', 'bank', 'float', 100n)),
          aTransfer('spend', 'float', 'payable', 100n),
        ],
        T0,
      );
      expect(results).toEqual(['ok', 'ok']);
    });

    it('fails a chain left open at the end of the batch', () => {
      const state = given([bank, payable]);
      const { events, results } = createTransfers(
        state,
        [
          aTransfer('a', 'bank', 'payable', 1n),
          linked(aTransfer('b', 'bank', 'payable', 1n)),
          linked(aTransfer('c', 'bank', 'payable', 1n)),
        ],
        T0,
      );
      expect(results).toEqual(['ok', 'linked_event_failed', 'linked_event_chain_open']);
      expect(events).toHaveLength(1);
    });
  });

  describe('two-phase transfers', () => {
    const reserved = () =>
      given(
        [float, bank, payable],
        [aTransfer('fund', 'bank', 'float', 100n), aReservation('r1', 'float', 'payable', 80n, 30)],
      );

    it('reserves: the amount is pending and counts against the float', () => {
      const state = reserved();
      expect(balance(state, 'float')).toMatchObject({
        debitsPending: 80n,
        debitsPosted: 0n,
        creditsPosted: 100n,
      });
      expect(createTransfers(state, [aTransfer('t', 'float', 'payable', 21n)], T0).results).toEqual(
        ['exceeds_credits'],
      );
    });

    it('posts part of a reservation and releases the rest', () => {
      const state = reserved();
      const { events, results } = createTransfers(state, [aPost('p1', 'r1', 50n)], T0 + 1000);
      expect(results).toEqual(['ok']);
      const after = foldLedger(events, state);
      expect(balance(after, 'float')).toMatchObject({ debitsPending: 0n, debitsPosted: 50n });
      expect(balance(after, 'payable')).toMatchObject({ creditsPending: 0n, creditsPosted: 50n });
      expect(
        createTransfers(
          after,
          [aVoid('v1', 'r1'), aPost('p1', 'r1', 50n), aPost('p1', 'r1')],
          T0 + 2000,
        ).results,
      ).toEqual(['pending_transfer_already_posted', 'exists', 'exists_with_different_amount']);
    });

    it('voids a reservation without moving money', () => {
      const state = reserved();
      const { events, results } = createTransfers(
        state,
        [aVoid('v1', 'r1'), aPost('p1', 'r1')],
        T0 + 1000,
      );
      expect(results).toEqual(['ok', 'pending_transfer_already_voided']);
      expect(balance(foldLedger(events, state), 'float')).toMatchObject({
        debitsPending: 0n,
        debitsPosted: 0n,
      });
    });

    it('refuses to post more than reserved, or against a transfer that is not a reservation', () => {
      const state = reserved();
      expect(
        createTransfers(
          state,
          [aPost('p1', 'r1', 81n), aPost('p2', 'fund'), aPost('p3', 'nope'), aPost('p4', 'p4')],
          T0,
        ).results,
      ).toEqual([
        'exceeds_pending_transfer_amount',
        'pending_transfer_not_pending',
        'pending_transfer_not_found',
        'pending_id_must_be_different',
      ]);
    });

    it('expires a reservation at its timeout: it is released and can no longer be posted', () => {
      const state = reserved();
      expect(createTransfers(state, [aPost('early', 'r1')], T0 + 29_999).results).toEqual(['ok']);
      const { events, results } = createTransfers(state, [aPost('late', 'r1')], T0 + 30_000);
      expect(results).toEqual(['pending_transfer_expired']);
      expect(events).toEqual<LedgerEvent[]>([
        { type: 'PendingTransferExpired', data: { pendingId: 'r1', expiredAt: T0 + 30_000 } },
      ]);
      expect(balance(foldLedger(events, state), 'float')).toMatchObject({
        debitsPending: 0n,
        debitsPosted: 0n,
      });
    });
  });

  describe('as an event-store decider', () => {
    it('dispatches each command to its decision, and evolve leaves the given state untouched', () => {
      const state = given(
        [float, bank, payable],
        [aTransfer('fund', 'bank', 'float', 100n), aReservation('r1', 'float', 'payable', 80n, 30)],
      );
      expect(ledgerDecider.decide({ type: 'CreateAccounts', accounts: [bank] }, state)).toEqual([]);
      expect(
        ledgerDecider.decide(
          { type: 'CreateTransfers', transfers: [aPost('p1', 'r1')], now: T0 },
          state,
        ),
      ).toEqual(createTransfers(state, [aPost('p1', 'r1')], T0).events);
      const expired = ledgerDecider.decide(
        { type: 'ExpirePendingTransfers', now: T0 + 30_000 },
        state,
      );
      expect(expired).toEqual([
        { type: 'PendingTransferExpired', data: { pendingId: 'r1', expiredAt: T0 + 30_000 } },
      ]);
      const after = ledgerDecider.evolve(state, expired[0]);
      expect(balance(after, 'float').debitsPending).toBe(0n);
      expect(balance(state, 'float').debitsPending).toBe(80n);
    });
  });
});

describe('forkState', () => {
  it('reads through to the state it forks, keeps its own writes and never changes the original', () => {
    const state = foldLedger(
      createAccounts(initialLedgerState(), [anAccount('a').build(), anAccount('b').build()]).events,
    );
    state.openPending.add('p1');
    const before = cloneState(state);
    const fork = forkState(state);
    const b = state.accounts.get('b')!;
    fork.accounts.delete('a');
    fork.accounts.set('c', b);
    fork.openPending.delete('p1');
    fork.openPending.add('p2');

    expect([fork.accounts.has('a'), fork.accounts.get('a'), fork.accounts.get('b')]).toEqual([
      false,
      undefined,
      b,
    ]);
    expect(new Map(fork.accounts)).toEqual(
      new Map([
        ['c', b],
        ['b', b],
      ]),
    );
    expect(fork.accounts.size).toBe(2);
    expect([...fork.openPending]).toEqual(['p2']);
    expect(fork.openPending.size).toBe(1);
    expect(state).toEqual(before);
  });
});
