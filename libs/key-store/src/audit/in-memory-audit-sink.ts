import type { AuditSink, KeyAuditEvent } from './audit-sink';

/** Keeps events in an array; for tests. */
export class InMemoryAuditSink implements AuditSink {
  readonly events: KeyAuditEvent[] = [];

  record(event: KeyAuditEvent): void {
    this.events.push(event);
  }
}
