import { Controller } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { GrpcMethod } from '@nestjs/microservices';
import { healthV1 } from '@tillgate/contracts';
import { GrpcRequestError } from '@tillgate/platform';
import { Observable, map } from 'rxjs';
import { HealthRegistry } from './health.registry';

/** grpc.health.v1.Health: Check answers NOT_FOUND for an unknown service, as the protocol requires. */
@Controller()
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  @GrpcMethod('Health', 'Check')
  check(request: healthV1.HealthCheckRequest): healthV1.HealthCheckResponse {
    const current = this.registry.get(request.service);
    if (current === undefined) {
      throw new GrpcRequestError(status.NOT_FOUND, 'UNKNOWN_SERVICE', 'unknown service', 'service');
    }
    return { status: current };
  }

  /** Server streaming: the current status now, then every change (NestJS streams an Observable). */
  @GrpcMethod('Health', 'Watch')
  watch(request: healthV1.HealthCheckRequest): Observable<healthV1.HealthCheckResponse> {
    return this.registry.watch(request.service).pipe(map((s) => ({ status: s })));
  }
}
