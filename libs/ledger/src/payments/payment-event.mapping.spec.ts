import { cardInsertEventsV1 } from '@tillgate/contracts';
import {
  PAYMENT_EVENT_TYPES,
  paymentPostingFor,
  POSTED_PAYMENT_EVENT_TYPES,
  type PaymentPosting,
} from './payment-event.mapping';
import { PaymentEventRefused } from './payment-posting.errors';
import { aPaymentEvent } from './testing/payment-event.builder';

const posted = (posting: PaymentPosting) => {
  if (posting.outcome !== 'post') throw new Error(`expected a posting, got ${posting.reason}`);
  return posting;
};

/** Each transfer of an entry as `debit -> credit: amount`. */
const legs = (posting: PaymentPosting) =>
  posted(posting).entry.transfers.map(
    (t) => `${t.debitAccountId} -> ${t.creditAccountId}: ${t.amount}`,
  );

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    if (err instanceof PaymentEventRefused)
      return { reason: err.reason, field: err.field, message: err.message };
    throw err;
  }
  throw new Error('expected PaymentEventRefused');
};

describe('payment events to business events', () => {
  const payment = aPaymentEvent().by('m-42').viaScheme('visa').inCurrency('EUR');

  it('books a capture: the scheme owes the amount, the merchant is owed it less our fee', () => {
    const captured = payment.captured(10_000n, 250n);
    const posting = posted(paymentPostingFor(captured));
    expect(posting.event).toEqual({
      eventId: captured.eventId,
      kind: 'card_payment_captured',
      merchantId: 'm-42',
      counterpartyId: 'visa',
      currency: 'EUR',
      amount: 10_000n,
      fee: 250n,
    });
    expect(legs(posting)).toEqual([
      'scheme_receivable:visa:EUR -> merchant_payable:m-42:EUR: 9750',
      'scheme_receivable:visa:EUR -> fee_revenue:EUR: 250',
    ]);
    expect(posting.entry.transfers.map((t) => t.id)).toEqual([
      `${captured.eventId}:0`,
      `${captured.eventId}:1`,
    ]);
  });

  it.each([
    ['refunded', 'card_payment_refunded', payment.refunded(4_000n, 100n)],
    ['voided', 'card_payment_voided', payment.voided(4_000n, 100n)],
    ['reversed', 'card_payment_reversed', payment.reversed(4_000n, 100n)],
  ] as const)('books a %s payment as %s, unwinding the capture', (_, kind, event) => {
    const posting = posted(paymentPostingFor(event));
    expect(posting.event).toMatchObject({
      eventId: event.eventId,
      kind,
      counterpartyId: 'visa',
      amount: 4_000n,
      fee: 100n,
    });
    expect(legs(posting)).toEqual([
      'merchant_payable:m-42:EUR -> scheme_receivable:visa:EUR: 3900',
      'fee_revenue:EUR -> scheme_receivable:visa:EUR: 100',
    ]);
  });

  it('leaves out the fee leg when no fee is taken or given back', () => {
    expect(legs(paymentPostingFor(payment.refunded(500n, 0n)))).toEqual([
      'merchant_payable:m-42:EUR -> scheme_receivable:visa:EUR: 500',
    ]);
  });

  it('maps the same record to the same entry every time (a redelivery posts nothing new)', () => {
    const captured = payment.captured(777n, 7n);
    expect(paymentPostingFor(captured)).toEqual(paymentPostingFor({ ...captured }));
  });

  it('opens the accounts its legs touch, per merchant, scheme and currency', () => {
    const posting = posted(
      paymentPostingFor(
        aPaymentEvent().by('m-7').viaScheme('mastercard').inCurrency('GBP').captured(100n, 1n),
      ),
    );
    expect(posting.entry.accounts.map((a) => a.id).sort()).toEqual([
      'fee_revenue:GBP',
      'merchant_payable:m-7:GBP',
      'scheme_receivable:mastercard:GBP',
    ]);
  });

  it('ignores payment events that move no money', () => {
    expect(paymentPostingFor(payment.initiated(1_000n))).toEqual({
      outcome: 'ignore',
      reason: 'not_a_money_event',
    });
    for (const type of [
      'tillgate.card_insert.v1.PaymentAuthorized',
      'tillgate.card_insert.v1.PaymentDeclined',
      'tillgate.card_insert.v1.ReversalPending',
      'tillgate.card_insert.v1.BatchClosed',
      'tillgate.card_insert.v2.PaymentCaptured',
    ]) {
      expect(paymentPostingFor(payment.raw(type, Uint8Array.of(0xff)))).toEqual({
        outcome: 'ignore',
        reason: 'not_a_money_event',
      });
    }
  });

  it('ignores a void or reversal of a payment that was never captured (nothing unwound)', () => {
    expect(paymentPostingFor(payment.reversed(0n, 0n))).toEqual({
      outcome: 'ignore',
      reason: 'nothing_unwound',
    });
    expect(paymentPostingFor(payment.voided(0n, 0n))).toEqual({
      outcome: 'ignore',
      reason: 'nothing_unwound',
    });
  });

  it('posts exactly the four money events', () => {
    expect([...POSTED_PAYMENT_EVENT_TYPES].sort()).toEqual([
      'tillgate.card_insert.v1.PaymentCaptured',
      'tillgate.card_insert.v1.PaymentRefunded',
      'tillgate.card_insert.v1.PaymentReversed',
      'tillgate.card_insert.v1.PaymentVoided',
    ]);
  });

  describe('refuses, naming the field of the event', () => {
    it.each([
      ['a capture of 0', () => payment.captured(0n, 0n), 'amount_must_be_positive', 'amount_minor'],
      [
        'a negative reversal',
        () => payment.reversed(-5n, 0n),
        'amount_must_be_positive',
        'unwound_amount_minor',
      ],
      [
        'a negative fee',
        () => payment.refunded(100n, -1n),
        'fee_must_not_be_negative',
        'fee_minor',
      ],
      [
        'a fee above the amount',
        () => payment.captured(100n, 101n),
        'fee_exceeds_amount',
        'fee_minor',
      ],
      [
        'no merchant',
        () => payment.by('').captured(100n, 1n),
        'merchant_id_must_not_be_empty',
        'merchant_id',
      ],
      [
        'no scheme',
        () => payment.viaScheme('').voided(100n, 1n),
        'counterparty_id_must_not_be_empty',
        'scheme',
      ],
      [
        'a currency that is not ISO 4217',
        () => payment.inCurrency('eur').captured(100n, 1n),
        'currency_must_be_iso_4217',
        'currency',
      ],
      [
        'an amount beyond the ledger maximum',
        () => payment.captured(2n ** 63n - 1n, 1n),
        'amount_exceeds_maximum',
        'amount_minor',
      ],
      [
        'a payload that does not decode',
        () => payment.raw(PAYMENT_EVENT_TYPES.captured, Uint8Array.of(0x0a, 0xff, 0xff)),
        'payload_undecodable',
        'payload',
      ],
    ])('%s', (_, event, reason, field) => {
      const refused = refusal(() => paymentPostingFor(event()));
      expect(refused).toMatchObject({ reason, field });
      expect(refused.message).toContain(`.${field}: `);
    });

    it('says which event type and field in the message, never a value', () => {
      const refused = refusal(() => paymentPostingFor(payment.refunded(100n, 101n)));
      expect(refused.message).toBe(
        'tillgate.card_insert.v1.PaymentRefunded.fee_minor: fee exceeds amount',
      );
    });

    it('refuses an empty event id', () => {
      const captured = { ...payment.captured(100n, 1n), eventId: '' };
      expect(refusal(() => paymentPostingFor(captured))).toMatchObject({
        reason: 'event_id_must_not_be_empty',
        field: 'event_id',
      });
    });
  });

  it('decodes what the tender encodes, field for field (amount from unwound_amount_minor for a reversal)', () => {
    const payload = cardInsertEventsV1.PaymentReversed.encode({
      reason: cardInsertEventsV1.ReversalReason.REVERSAL_REASON_ISSUER_TIMEOUT,
      responseCode: '00',
      repeats: 2,
      unwoundAmountMinor: '1234',
      currency: 'USD',
      feeMinor: '34',
      merchantId: 'm-9',
      scheme: 'amex',
    }).finish();
    const posting = posted(paymentPostingFor(payment.raw(PAYMENT_EVENT_TYPES.reversed, payload)));
    expect(posting.event).toMatchObject({
      kind: 'card_payment_reversed',
      merchantId: 'm-9',
      counterpartyId: 'amex',
      currency: 'USD',
      amount: 1234n,
      fee: 34n,
    });
  });
});
