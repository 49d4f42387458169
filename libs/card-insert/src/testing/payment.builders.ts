import { cardInsertEventsV1 } from '@tillgate/contracts';
import type { PaymentEvent } from '../domain/payment.events';

/** A PaymentInitiated with test defaults; override what the scenario is about. */
export function anInitiatedPayment(
  overrides: Partial<cardInsertEventsV1.PaymentInitiated> = {},
): cardInsertEventsV1.PaymentInitiated {
  return {
    paymentId: '0b6c1e9a-5d2f-8a41-9c3e-7f1a2b3c4d5e',
    terminalId: 'TERM0001',
    merchantId: 'merchant-0001',
    kind: cardInsertEventsV1.PaymentKind.PAYMENT_KIND_SALE,
    amountMinor: '10000',
    currency: 'EUR',
    stan: 1,
    clientRequestId: 'req-1',
    localTime: '2026-11-25T14:00:00',
    panToken: 'tok_abc',
    maskedPan: '476173******0119',
    scheme: 'visa',
    requestFingerprint: 'sha256:x',
    rrn: '00000000ABCD',
    ...overrides,
  };
}

export const initiated = (
  overrides: Partial<cardInsertEventsV1.PaymentInitiated> = {},
): PaymentEvent => ({
  type: 'PaymentInitiated',
  data: anInitiatedPayment(overrides),
});

export const authorized = (amountMinor = '10000'): PaymentEvent => ({
  type: 'PaymentAuthorized',
  data: {
    responseCode: '00',
    authCode: 'A1B2C3',
    rrn: '00000000ABCD',
    authorizedAmountMinor: amountMinor,
    issuerData: new Uint8Array([0x91, 0x00]),
  },
});
