import { Metadata, status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';

/**
 * The one shape in which Tillgate reports a refused request over gRPC: a
 * status code, a message for humans, and the offending field in the
 * `tillgate-field` trailer (and in the message) for programs.
 */
export class GrpcRequestError extends RpcException {
  constructor(
    readonly grpcCode: status,
    readonly errorCode: string,
    message: string,
    readonly field?: string,
  ) {
    const metadata = new Metadata();
    metadata.set('tillgate-error-code', errorCode);
    if (field) metadata.set('tillgate-field', field);
    super({ code: grpcCode, message: field ? `${field}: ${message}` : message, metadata });
  }
}

export function invalidArgument(field: string, message: string, errorCode = 'INVALID_ARGUMENT') {
  return new GrpcRequestError(status.INVALID_ARGUMENT, errorCode, message, field);
}
