import { cardInsertV1 } from '@tillgate/contracts';
import type { PaymentStatusName } from '../domain/payment.state';

const S = cardInsertV1.PaymentStatus;

export function wireStatus(status: PaymentStatusName): cardInsertV1.PaymentStatus {
  switch (status) {
    case 'absent':
      return S.PAYMENT_STATUS_UNSPECIFIED;
    case 'pending':
      return S.PAYMENT_STATUS_PENDING;
    case 'authorized':
      return S.PAYMENT_STATUS_AUTHORIZED;
    case 'declined':
      return S.PAYMENT_STATUS_DECLINED;
    case 'completed':
      return S.PAYMENT_STATUS_COMPLETED;
    case 'captured':
      return S.PAYMENT_STATUS_CAPTURED;
    case 'reversal_pending':
      return S.PAYMENT_STATUS_REVERSAL_PENDING;
    case 'reversed':
      return S.PAYMENT_STATUS_REVERSED;
    case 'voided':
      return S.PAYMENT_STATUS_VOIDED;
    case 'partially_refunded':
      return S.PAYMENT_STATUS_PARTIALLY_REFUNDED;
    case 'refunded':
      return S.PAYMENT_STATUS_REFUNDED;
    default: {
      const never: never = status;
      throw new Error(`unknown status ${String(never)}`);
    }
  }
}
