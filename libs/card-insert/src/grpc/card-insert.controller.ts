import { Controller, Inject, Optional } from '@nestjs/common';
import { cardInsertV1 } from '@tillgate/contracts';
import type { Logger } from '@tillgate/platform';
import { CardInsertService } from '../application/card-insert.service';
import { CARD_INSERT_LOGGER, logged } from './card-insert.access-log';
import { toGrpcError } from './card-insert-errors.mapping';

/** tillgate.card_insert.v1.CardInsertService over the application service. */
@Controller()
@cardInsertV1.CardInsertServiceControllerMethods()
export class CardInsertController implements cardInsertV1.CardInsertServiceController {
  constructor(
    @Inject(CardInsertService) private readonly service: CardInsertService,
    @Optional() @Inject(CARD_INSERT_LOGGER) private readonly logger?: Logger,
  ) {}

  /** Runs one RPC: typed gRPC errors out, one access-log line either way. */
  private run<Req extends object, Res extends object>(
    operation: string,
    request: Req,
    work: (request: Req) => Promise<Res>,
  ): Promise<Res> {
    return logged(this.logger, operation, request, async () => {
      try {
        return await work(request);
      } catch (err) {
        throw toGrpcError(err);
      }
    });
  }

  authorize(request: cardInsertV1.AuthorizeRequest): Promise<cardInsertV1.AuthorizeResponse> {
    return this.run('Authorize', request, (r) => this.service.authorize(r));
  }

  complete(request: cardInsertV1.CompleteRequest): Promise<cardInsertV1.CompleteResponse> {
    return this.run('Complete', request, (r) => this.service.complete(r));
  }

  capture(request: cardInsertV1.CaptureRequest): Promise<cardInsertV1.CaptureResponse> {
    return this.run('Capture', request, (r) => this.service.capture(r));
  }

  void(request: cardInsertV1.VoidRequest): Promise<cardInsertV1.VoidResponse> {
    return this.run('Void', request, (r) => this.service.void(r));
  }

  refund(request: cardInsertV1.RefundRequest): Promise<cardInsertV1.RefundResponse> {
    return this.run('Refund', request, (r) => this.service.refund(r));
  }

  reverse(request: cardInsertV1.ReverseRequest): Promise<cardInsertV1.ReverseResponse> {
    return this.run('Reverse', request, (r) => this.service.reverse(r));
  }

  getPayment(request: cardInsertV1.GetPaymentRequest): Promise<cardInsertV1.GetPaymentResponse> {
    return this.run('GetPayment', request, (r) => this.service.getPayment(r));
  }

  closeBatch(request: cardInsertV1.CloseBatchRequest): Promise<cardInsertV1.CloseBatchResponse> {
    return this.run('CloseBatch', request, (r) => this.service.closeBatch(r));
  }
}
