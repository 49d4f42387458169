import type { AuditSink, KeyAuditEvent } from './audit-sink';
import type { KeyStoreLogger } from './key-store-logger';

/** Writes each audit event as one structured log line (`{ audit: {...} }`). */
export class LoggerAuditSink implements AuditSink {
  constructor(private readonly logger: KeyStoreLogger) {}

  record(event: KeyAuditEvent): void {
    this.logger.info({ audit: event }, 'key-store audit');
  }
}
