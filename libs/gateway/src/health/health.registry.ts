import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { healthV1 } from '@tillgate/contracts';
import { BehaviorSubject, Observable, distinctUntilChanged, map } from 'rxjs';

type ServingStatus = healthV1.HealthCheckResponse_ServingStatus;
const { SERVING, NOT_SERVING, SERVICE_UNKNOWN } = healthV1.HealthCheckResponse_ServingStatus;

/**
 * Serving status per gRPC service name ('' is the whole server), as the
 * grpc.health.v1 protocol defines. Modules mark themselves serving once
 * ready; shutdown flips everything to NOT_SERVING so load balancers drain
 * this instance before it stops.
 */
@Injectable()
export class HealthRegistry implements OnApplicationShutdown {
  private readonly statuses = new BehaviorSubject<ReadonlyMap<string, ServingStatus>>(
    new Map([['', NOT_SERVING]]),
  );

  set(service: string, status: ServingStatus): void {
    const next = new Map(this.statuses.value);
    next.set(service, status);
    this.statuses.next(next);
  }

  markServing(services: string[]): void {
    for (const s of ['', ...services]) this.set(s, SERVING);
  }

  /** undefined when the service is not known to this server. */
  get(service: string): ServingStatus | undefined {
    return this.statuses.value.get(service);
  }

  watch(service: string): Observable<ServingStatus> {
    return this.statuses.pipe(
      map((all) => all.get(service) ?? SERVICE_UNKNOWN),
      distinctUntilChanged(),
    );
  }

  onApplicationShutdown(): void {
    const next = new Map([...this.statuses.value.keys()].map((k) => [k, NOT_SERVING]));
    this.statuses.next(next);
    this.statuses.complete();
  }
}
