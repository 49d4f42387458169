import { status } from '@grpc/grpc-js';
import { ExpectedVersionConflict } from '@tillgate/event-store';
import { GrpcRequestError } from '@tillgate/platform';
import { CardInsertRequestRefused } from '../acquiring/acquiring.ports';
import { PaymentRefused, type PaymentRefusalKind } from '../domain/payment-refused';

const REQUEST_STATUS: Record<CardInsertRequestRefused['grpcStatus'], status> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  OUT_OF_RANGE: status.OUT_OF_RANGE,
};

const REFUSAL_STATUS: Record<PaymentRefusalKind, status> = {
  already_exists: status.ALREADY_EXISTS,
  not_found: status.NOT_FOUND,
  precondition: status.FAILED_PRECONDITION,
  out_of_range: status.OUT_OF_RANGE,
  argument: status.INVALID_ARGUMENT,
};

/**
 * The one mapping of card-insert errors to gRPC: a refused request or a
 * refused payment command becomes its typed status with the field in
 * `tillgate-field` and the code in `tillgate-error-code`; a write that lost
 * a race five times is ABORTED (the terminal may retransmit). Anything else
 * is left to GrpcExceptionFilter: INTERNAL, detail in the log only.
 */
export function toGrpcError(err: unknown): unknown {
  if (err instanceof CardInsertRequestRefused)
    return new GrpcRequestError(REQUEST_STATUS[err.grpcStatus], err.code, err.message, err.field);
  if (err instanceof PaymentRefused)
    return new GrpcRequestError(REFUSAL_STATUS[err.kind], err.code, err.message, err.field);
  if (err instanceof ExpectedVersionConflict)
    return new GrpcRequestError(
      status.ABORTED,
      'CONCURRENT_UPDATE',
      'the payment changed meanwhile: retransmit',
    );
  return err;
}
