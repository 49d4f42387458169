import { promises as fs, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KeyStoreError } from '../key-store-error';
import type { AuditSink, KeyAuditEvent } from './audit-sink';

interface PendingLine {
  readonly line: string;
  readonly written: () => void;
  readonly failed: (error: unknown) => void;
}

/**
 * Appends each event as one JSON line to a file (created 0600, its directory
 * 0700); the CLI's audit trail beside its key store, and the gateway's.
 *
 * The file is opened once and kept open. Events recorded in the same
 * synchronous run (an operation's one event per key), or while the file is
 * being opened, are written together in one synchronous append;
 * `record` resolves once its line was handed to the file system
 * (no fsync, like appendFile), and rejects if that write failed. `close()`
 * writes what is pending and closes the file; a file moved away (log
 * rotation) keeps receiving lines until then.
 */
export class JsonLinesAuditSink implements AuditSink {
  #file: Promise<FileHandle> | undefined;
  #pending: PendingLine[] = [];
  #draining: Promise<void> | undefined;
  #closed = false;

  constructor(readonly path: string) {}

  record(event: KeyAuditEvent): Promise<void> {
    if (this.#closed) {
      return Promise.reject(
        new KeyStoreError('STORE_UNAVAILABLE', `the audit sink ${this.path} is closed`, 'audit'),
      );
    }
    const line = `${JSON.stringify(event)}\n`;
    return new Promise<void>((written, failed) => {
      this.#pending.push({ line, written, failed });
      // A microtask: the events an operation hands over together (one per
      // key, recorded in one synchronous loop) still share one write.
      this.#draining ??= Promise.resolve().then(() => this.drain());
    });
  }

  /** Writes every pending line, then closes the file. Later records are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#draining;
    const file = this.#file;
    this.#file = undefined;
    if (file) await (await file.catch(() => undefined))?.close();
  }

  private async drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      try {
        const file = await this.open();
        // A synchronous write of a few hundred bytes to an open file is a
        // page-cache copy; through the thread pool it waits for a worker and
        // a later turn of the event loop, on every key operation.
        writeFully(file.fd, Buffer.from(batch.map((p) => p.line).join(''), 'utf8'));
        for (const p of batch) p.written();
      } catch (error) {
        // Open it afresh next time: the directory may have been recreated, the disk freed.
        const file = this.#file;
        this.#file = undefined;
        void file?.then((f) => f.close()).catch(() => undefined);
        for (const p of batch) p.failed(error);
      }
    }
    this.#draining = undefined;
  }

  private open(): Promise<FileHandle> {
    this.#file ??= fs
      .mkdir(dirname(this.path), { recursive: true, mode: 0o700 })
      .then(() => fs.open(this.path, 'a', 0o600));
    return this.#file;
  }
}

/** writeSync may write less than asked (a full disk): what is left is written next, or throws. */
function writeFully(fd: number, bytes: Buffer): void {
  for (let offset = 0; offset < bytes.length;)
    offset += writeSync(fd, bytes, offset, bytes.length - offset);
}
