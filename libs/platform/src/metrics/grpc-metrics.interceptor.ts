import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { Observable, tap } from 'rxjs';
import { GatewayMetrics } from './metrics-server';

/** Counts and times every gRPC call by method and resulting status code. */
@Injectable()
export class GrpcMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: GatewayMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const method = `${context.getClass().name}.${context.getHandler().name}`;
    const stop = this.metrics.grpcDuration.startTimer({ method });
    const record = (code: number) => {
      stop();
      this.metrics.grpcRequests.inc({ method, code: status[code] ?? String(code) });
    };
    return next.handle().pipe(
      tap({
        complete: () => record(status.OK),
        error: (err: unknown) => {
          const code = (err as { error?: { code?: number } })?.error?.code;
          record(typeof code === 'number' ? code : status.INTERNAL);
        },
      }),
    );
  }
}
