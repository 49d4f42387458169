import { ArgumentsHost, Catch, Logger, RpcExceptionFilter } from '@nestjs/common';
import { Metadata, status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { Observable, throwError } from 'rxjs';

/**
 * Last line of defence on every gRPC handler: a typed RpcException passes
 * through; anything else becomes INTERNAL with a generic message, and the
 * detail goes to the log, never to the client (no stack traces on the wire).
 */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('grpc');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    if (exception instanceof RpcException) {
      return throwError(() => exception.getError());
    }
    this.logger.error(
      exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception),
    );
    const metadata = new Metadata();
    metadata.set('tillgate-error-code', 'INTERNAL');
    return throwError(() => ({ code: status.INTERNAL, message: 'internal error', metadata }));
  }
}
