import { randomUUID } from 'node:crypto';
import { cardInsertEventsV1 } from '@tillgate/contracts';
import type { NewEvent } from '@tillgate/event-store';
import { PAYMENT_EVENT_TYPES } from '../payment-event.mapping';

interface PaymentFacts {
  merchantId: string;
  scheme: string;
  currency: string;
}

/**
 * Card-insert payment events as the tender appends them: the
 * `cardInsertEventsV1` messages, encoded, under their fully qualified type.
 * Test support only.
 */
class PaymentEventBuilder {
  constructor(private readonly facts: PaymentFacts) {}

  by(merchantId: string) {
    return new PaymentEventBuilder({ ...this.facts, merchantId });
  }
  viaScheme(scheme: string) {
    return new PaymentEventBuilder({ ...this.facts, scheme });
  }
  inCurrency(currency: string) {
    return new PaymentEventBuilder({ ...this.facts, currency });
  }

  captured(amount: bigint, fee: bigint): NewEvent {
    return this.event(
      PAYMENT_EVENT_TYPES.captured,
      cardInsertEventsV1.PaymentCaptured.encode({
        captureId: randomUUID(),
        amountMinor: String(amount),
        feeMinor: String(fee),
        ...this.facts,
      }).finish(),
    );
  }

  refunded(amount: bigint, fee: bigint): NewEvent {
    return this.event(
      PAYMENT_EVENT_TYPES.refunded,
      cardInsertEventsV1.PaymentRefunded.encode({
        refundId: randomUUID(),
        amountMinor: String(amount),
        feeMinor: String(fee),
        ...this.facts,
      }).finish(),
    );
  }

  voided(amount: bigint, fee: bigint): NewEvent {
    return this.event(
      PAYMENT_EVENT_TYPES.voided,
      cardInsertEventsV1.PaymentVoided.encode({
        amountMinor: String(amount),
        feeMinor: String(fee),
        ...this.facts,
      }).finish(),
    );
  }

  reversed(unwound: bigint, fee: bigint): NewEvent {
    return this.event(
      PAYMENT_EVENT_TYPES.reversed,
      cardInsertEventsV1.PaymentReversed.encode({
        reason: cardInsertEventsV1.ReversalReason.REVERSAL_REASON_CARD_DECLINED,
        responseCode: '00',
        repeats: 0,
        unwoundAmountMinor: String(unwound),
        feeMinor: String(fee),
        ...this.facts,
      }).finish(),
    );
  }

  /** A payment event that moves no money. */
  initiated(amount: bigint): NewEvent {
    return this.event(
      'tillgate.card_insert.v1.PaymentInitiated',
      cardInsertEventsV1.PaymentInitiated.encode({
        paymentId: randomUUID(),
        terminalId: 'T0001',
        merchantId: this.facts.merchantId,
        kind: cardInsertEventsV1.PaymentKind.PAYMENT_KIND_SALE,
        amountMinor: String(amount),
        currency: this.facts.currency,
        stan: 1,
        clientRequestId: randomUUID(),
        localTime: '2026-11-25T10:00:00',
        panToken: 'ab'.repeat(32),
        maskedPan: '411111******1111',
        scheme: this.facts.scheme,
        requestFingerprint: 'cd'.repeat(32),
        rrn: 'RRN000000001',
      }).finish(),
    );
  }

  /** Any type and payload bytes, e.g. a payload that does not decode. */
  raw(type: string, payload: Uint8Array): NewEvent {
    return this.event(type, payload);
  }

  private event(type: string, payload: Uint8Array): NewEvent {
    return {
      eventId: randomUUID(),
      type,
      schemaVersion: 1,
      payload,
      occurredAt: new Date('2026-11-25T10:00:00Z'),
      merchantId: this.facts.merchantId,
    };
  }
}

export const aPaymentEvent = () =>
  new PaymentEventBuilder({ merchantId: 'm-42', scheme: 'visa', currency: 'EUR' });
