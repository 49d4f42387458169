import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditSink, KeyAuditEvent } from './audit-sink';

/** Appends each event as one JSON line to a file (created 0600); the CLI's audit trail beside its key store. */
export class JsonLinesAuditSink implements AuditSink {
  constructor(readonly path: string) {}

  async record(event: KeyAuditEvent): Promise<void> {
    await fs.mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    await fs.appendFile(this.path, `${JSON.stringify(event)}\n`, { mode: 0o600 });
  }
}
