import { Controller, Inject } from '@nestjs/common';
import { cardInsertV1 } from '@tillgate/contracts';
import { CardInsertService } from '../application/card-insert.service';
import { toGrpcError } from './card-insert-errors.mapping';

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toGrpcError(err);
  }
}

/** tillgate.card_insert.v1.CardInsertService over the application service. */
@Controller()
@cardInsertV1.CardInsertServiceControllerMethods()
export class CardInsertController implements cardInsertV1.CardInsertServiceController {
  constructor(@Inject(CardInsertService) private readonly service: CardInsertService) {}

  authorize(request: cardInsertV1.AuthorizeRequest): Promise<cardInsertV1.AuthorizeResponse> {
    return mapped(() => this.service.authorize(request));
  }

  complete(request: cardInsertV1.CompleteRequest): Promise<cardInsertV1.CompleteResponse> {
    return mapped(() => this.service.complete(request));
  }

  capture(request: cardInsertV1.CaptureRequest): Promise<cardInsertV1.CaptureResponse> {
    return mapped(() => this.service.capture(request));
  }

  void(request: cardInsertV1.VoidRequest): Promise<cardInsertV1.VoidResponse> {
    return mapped(() => this.service.void(request));
  }

  refund(request: cardInsertV1.RefundRequest): Promise<cardInsertV1.RefundResponse> {
    return mapped(() => this.service.refund(request));
  }

  reverse(request: cardInsertV1.ReverseRequest): Promise<cardInsertV1.ReverseResponse> {
    return mapped(() => this.service.reverse(request));
  }

  getPayment(request: cardInsertV1.GetPaymentRequest): Promise<cardInsertV1.GetPaymentResponse> {
    return mapped(() => this.service.getPayment(request));
  }

  closeBatch(request: cardInsertV1.CloseBatchRequest): Promise<cardInsertV1.CloseBatchResponse> {
    return mapped(() => this.service.closeBatch(request));
  }
}
