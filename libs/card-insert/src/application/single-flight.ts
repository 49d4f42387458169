import { CardInsertRequestRefused } from '../acquiring/acquiring.ports';

/**
 * Concurrent copies of one request in this process share one execution:
 * the first starts the work, the others wait for its result. A copy with a
 * different body (fingerprint) is refused at once. Across processes the
 * event store's optimistic concurrency decides (see the service).
 */
export class SingleFlight<T> {
  private readonly flights = new Map<string, { fingerprint: string; result: Promise<T> }>();

  run(key: string, fingerprint: string, work: () => Promise<T>): Promise<T> {
    const flying = this.flights.get(key);
    if (flying) {
      if (flying.fingerprint !== fingerprint)
        return Promise.reject(
          new CardInsertRequestRefused(
            'REQUEST_ID_REUSED',
            'header.client_request_id',
            'this terminal, STAN and client request id were used for another request',
            'ALREADY_EXISTS',
          ),
        );
      return flying.result;
    }
    const result = work().finally(() => this.flights.delete(key));
    this.flights.set(key, { fingerprint, result });
    return result;
  }
}
