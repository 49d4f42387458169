import type { cardInsertEventsV1 } from '@tillgate/contracts';
import type { DomainEvent } from '@tillgate/event-store';

/**
 * The events of one card-insert payment (stream `payments-<payment_id>`),
 * carried as the protobuf messages of proto/tillgate/card_insert/v1/events.proto:
 * the published schema is the domain's vocabulary, so there is nothing to
 * translate and nothing to drift. Amounts are int64 decimal strings there;
 * the decider's state holds them as bigint.
 */
export type PaymentEvent =
  | DomainEvent<'PaymentInitiated', cardInsertEventsV1.PaymentInitiated>
  | DomainEvent<'PaymentAuthorized', cardInsertEventsV1.PaymentAuthorized>
  | DomainEvent<'PaymentDeclined', cardInsertEventsV1.PaymentDeclined>
  | DomainEvent<'PaymentCompleted', cardInsertEventsV1.PaymentCompleted>
  | DomainEvent<'PaymentCaptured', cardInsertEventsV1.PaymentCaptured>
  | DomainEvent<'PaymentVoided', cardInsertEventsV1.PaymentVoided>
  | DomainEvent<'PaymentRefunded', cardInsertEventsV1.PaymentRefunded>
  | DomainEvent<'ReversalPending', cardInsertEventsV1.ReversalPending>
  | DomainEvent<'PaymentReversed', cardInsertEventsV1.PaymentReversed>;

/** The event of a terminal's batch stream (`payments-batch.<terminal_id>`). */
export type BatchEvent = DomainEvent<'BatchClosed', cardInsertEventsV1.BatchClosed>;

/** The event of a terminal's security stream (`security-<terminal_id>`). */
export type SecurityEvent = DomainEvent<
  'TerminalSecurityEvent',
  cardInsertEventsV1.TerminalSecurityEvent
>;

export type PaymentEventType = PaymentEvent['type'];
