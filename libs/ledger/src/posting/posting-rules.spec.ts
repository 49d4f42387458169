import { createAccounts, createTransfers } from '../domain/ledger.decider';
import { foldLedger, initialLedgerState } from '../domain/ledger.state';
import { FLAGS_BY_TYPE } from './chart-of-accounts';
import {
  BUSINESS_EVENT_KINDS,
  journalEntryFor,
  PostingRefused,
  type BusinessEvent,
  type BusinessEventKind,
} from './posting-rules';

const anEvent = (
  kind: BusinessEventKind,
  overrides: Partial<BusinessEvent> = {},
): BusinessEvent => ({
  eventId: 'evt-1',
  kind,
  merchantId: 'm-42',
  counterpartyId: 'cp',
  currency: 'EUR',
  amount: 10_000n,
  fee: 250n,
  ...overrides,
});

/** Net effect per account (credits minus debits) of an entry. */
function netByAccount(event: BusinessEvent): Record<string, bigint> {
  const net: Record<string, bigint> = {};
  for (const t of journalEntryFor(event).transfers) {
    net[t.debitAccountId] = (net[t.debitAccountId] ?? 0n) - t.amount;
    net[t.creditAccountId] = (net[t.creditAccountId] ?? 0n) + t.amount;
  }
  return net;
}

describe('posting rules', () => {
  const expected: Record<BusinessEventKind, Record<string, bigint>> = {
    card_payment_captured: {
      'scheme_receivable:cp:EUR': -10_000n,
      'merchant_payable:m-42:EUR': 9_750n,
      'fee_revenue:EUR': 250n,
    },
    card_payment_refunded: {
      'scheme_receivable:cp:EUR': 10_000n,
      'merchant_payable:m-42:EUR': -9_750n,
      'fee_revenue:EUR': -250n,
    },
    card_payment_reversed: {
      'scheme_receivable:cp:EUR': 10_000n,
      'merchant_payable:m-42:EUR': -9_750n,
      'fee_revenue:EUR': -250n,
    },
    card_payment_voided: {
      'scheme_receivable:cp:EUR': 10_000n,
      'merchant_payable:m-42:EUR': -9_750n,
      'fee_revenue:EUR': -250n,
    },
    qr_payment_settled: {
      'wallet_provider_receivable:cp:EUR': -10_000n,
      'merchant_payable:m-42:EUR': 9_750n,
      'fee_revenue:EUR': 250n,
    },
    face_payment_settled: {
      'wallet_provider_receivable:cp:EUR': -10_000n,
      'merchant_payable:m-42:EUR': 9_750n,
      'fee_revenue:EUR': 250n,
    },
    bill_payment_fulfilled: {
      'merchant_payable:m-42:EUR': -10_250n,
      'partner_float:cp:EUR': 10_000n,
      'fee_revenue:EUR': 250n,
    },
    bill_payment_refunded: {
      'merchant_payable:m-42:EUR': 10_250n,
      'partner_float:cp:EUR': -10_000n,
      'fee_revenue:EUR': -250n,
    },
    top_up_fulfilled: {
      'merchant_payable:m-42:EUR': -10_250n,
      'partner_float:cp:EUR': 10_000n,
      'fee_revenue:EUR': 250n,
    },
    top_up_refunded: {
      'merchant_payable:m-42:EUR': 10_250n,
      'partner_float:cp:EUR': -10_000n,
      'fee_revenue:EUR': -250n,
    },
  };

  it.each(BUSINESS_EVENT_KINDS)(
    '%s books one balanced entry with the expected effect per account',
    (kind) => {
      const net = netByAccount(anEvent(kind));
      expect(net).toEqual(expected[kind]);
      expect(Object.values(net).reduce((a, b) => a + b, 0n)).toBe(0n);
      const { transfers } = journalEntryFor(anEvent(kind));
      expect(transfers.every((t) => t.code === kind && t.currency === 'EUR')).toBe(true);
      expect(transfers.map((t) => Boolean(t.linked))).toEqual([
        ...transfers.slice(1).map(() => true),
        false,
      ]);
    },
  );

  it('leaves out a zero fee leg but keeps transfer ids stable per leg', () => {
    const { transfers } = journalEntryFor(anEvent('card_payment_captured', { fee: 0n }));
    expect(transfers.map((t) => [t.id, t.amount])).toEqual([['evt-1:0', 10_000n]]);
  });

  it('refuses what it cannot book, naming the field', () => {
    const refusal = (
      overrides: Partial<BusinessEvent>,
      kind: BusinessEventKind = 'card_payment_captured',
    ) => {
      try {
        journalEntryFor(anEvent(kind, overrides));
        return null;
      } catch (e) {
        return e instanceof PostingRefused ? [e.field, e.code] : e;
      }
    };
    expect(refusal({ amount: 0n })).toEqual(['amount', 'amount_must_be_positive']);
    expect(refusal({ fee: -1n })).toEqual(['fee', 'fee_must_not_be_negative']);
    expect(refusal({ fee: 10_001n })).toEqual(['fee', 'fee_exceeds_amount']);
    expect(refusal({ fee: 10_001n }, 'bill_payment_fulfilled')).toBeNull();
    expect(refusal({ currency: 'euro' })).toEqual(['currency', 'currency_must_be_iso_4217']);
    expect(refusal({ merchantId: '' })).toEqual(['merchantId', 'merchant_id_must_not_be_empty']);
  });

  it('posts through the ledger once, however often the event is delivered', () => {
    const capture = journalEntryFor(anEvent('card_payment_captured'));
    let state = foldLedger(createAccounts(initialLedgerState(), capture.accounts).events);
    const first = createTransfers(state, capture.transfers, 0);
    expect(first.results).toEqual(['ok', 'ok']);
    state = foldLedger(first.events, state);
    const again = createTransfers(
      state,
      journalEntryFor(anEvent('card_payment_captured')).transfers,
      1,
    );
    expect(again).toEqual({ events: [], results: ['exists', 'exists'] });
    expect(state.accounts.get('merchant_payable:m-42:EUR')!.balance.creditsPosted).toBe(9_750n);
  });

  it('cannot consume more partner float than was funded', () => {
    expect(FLAGS_BY_TYPE.partner_float.creditsMustNotExceedDebits).toBe(true);
    const bill = journalEntryFor(anEvent('bill_payment_fulfilled'));
    const state = foldLedger(createAccounts(initialLedgerState(), bill.accounts).events);
    expect(createTransfers(state, bill.transfers, 0).results).toEqual([
      'exceeds_debits',
      'linked_event_failed',
    ]);
  });
});
