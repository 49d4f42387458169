import { cardInsertEventsV1 } from '@tillgate/contracts';
import { eventCodec, type EventCodec } from '@tillgate/event-store';
import type { BatchEvent, PaymentEvent, SecurityEvent } from './payment.events';

const proto = (name: string) => `tillgate.card_insert.v1.${name}`;

/** Payment events <-> the messages of proto/tillgate/card_insert/v1/events.proto. */
export const paymentEventCodec: EventCodec<PaymentEvent> = eventCodec<PaymentEvent>({
  PaymentInitiated: {
    protoName: proto('PaymentInitiated'),
    codec: cardInsertEventsV1.PaymentInitiated,
  },
  PaymentAuthorized: {
    protoName: proto('PaymentAuthorized'),
    codec: cardInsertEventsV1.PaymentAuthorized,
  },
  PaymentDeclined: {
    protoName: proto('PaymentDeclined'),
    codec: cardInsertEventsV1.PaymentDeclined,
  },
  PaymentCompleted: {
    protoName: proto('PaymentCompleted'),
    codec: cardInsertEventsV1.PaymentCompleted,
  },
  PaymentCaptured: {
    protoName: proto('PaymentCaptured'),
    codec: cardInsertEventsV1.PaymentCaptured,
  },
  PaymentVoided: { protoName: proto('PaymentVoided'), codec: cardInsertEventsV1.PaymentVoided },
  PaymentRefunded: {
    protoName: proto('PaymentRefunded'),
    codec: cardInsertEventsV1.PaymentRefunded,
  },
  ReversalPending: {
    protoName: proto('ReversalPending'),
    codec: cardInsertEventsV1.ReversalPending,
  },
  PaymentReversed: {
    protoName: proto('PaymentReversed'),
    codec: cardInsertEventsV1.PaymentReversed,
  },
});

export const batchEventCodec: EventCodec<BatchEvent> = eventCodec<BatchEvent>({
  BatchClosed: { protoName: proto('BatchClosed'), codec: cardInsertEventsV1.BatchClosed },
});

export const securityEventCodec: EventCodec<SecurityEvent> = eventCodec<SecurityEvent>({
  TerminalSecurityEvent: {
    protoName: proto('TerminalSecurityEvent'),
    codec: cardInsertEventsV1.TerminalSecurityEvent,
  },
});

export const paymentStreamId = (paymentId: string) => `payments-${paymentId}`;
export const batchStreamId = (terminalId: string) => `payments-batch.${terminalId}`;
export const securityStreamId = (terminalId: string) => `security-${terminalId}`;
