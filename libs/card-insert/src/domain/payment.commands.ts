import type { cardInsertEventsV1 } from '@tillgate/contracts';

/** What the issuer said about an authorization, as the decider needs it. */
export type IssuerOutcome =
  | {
      readonly outcome: 'approved';
      readonly responseCode: string;
      readonly authCode: string;
      readonly rrn: string;
      readonly issuerData: Uint8Array;
    }
  | { readonly outcome: 'declined'; readonly responseCode: string; readonly reason: string }
  /** Timeout or dropped link: the issuer may have approved, so the payment is reversed. */
  | { readonly outcome: 'no_answer' };

export type CardDecisionName = 'TC' | 'AAC';

export type PaymentCommand =
  | { readonly type: 'InitiatePayment'; readonly payment: cardInsertEventsV1.PaymentInitiated }
  | { readonly type: 'RecordIssuerAnswer'; readonly answer: IssuerOutcome }
  | {
      readonly type: 'CompletePayment';
      readonly decision: CardDecisionName;
      /** Id of the capture a completed sale records. */
      readonly captureId: string;
      readonly feeBasisPoints: number;
    }
  | {
      readonly type: 'CapturePayment';
      readonly captureId: string;
      readonly amountMinor: bigint;
      readonly currency: string;
      readonly feeBasisPoints: number;
    }
  | { readonly type: 'VoidPayment' }
  | {
      readonly type: 'RefundPayment';
      readonly refundId: string;
      readonly amountMinor: bigint;
      readonly currency: string;
    }
  | { readonly type: 'ReversePayment' }
  | {
      readonly type: 'AcknowledgeReversal';
      readonly responseCode: string;
      readonly repeats: number;
    }
  /** The in-flight row outlived the issuer deadline: the process died between the issuer call and the append. */
  | { readonly type: 'ExpireInFlight' };
