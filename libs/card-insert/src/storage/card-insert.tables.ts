import type { EventStore, EventStoreTransaction } from '@tillgate/event-store';

type Tx = Pick<EventStoreTransaction, 'kind' | 'query'>;

/** `$1, $2...` placeholders for Postgres, `?` for SQLite (parameters are always in order here). */
function sql(tx: Tx, text: string): string {
  return tx.kind === 'postgres' ? text : text.replace(/\$\d+/g, '?');
}

const num = (value: unknown): number => Number(value);

export interface DueReversal {
  paymentId: string;
  attempts: number;
}

/**
 * Raw SQL over the card-insert work tables, always inside a transaction of
 * the event store: on SQLite it holds the single connection's lock, so no
 * statement slips into another caller's open transaction.
 */
export const cardInsertTables = {
  async deleteInFlight(tx: Tx, paymentId: string): Promise<void> {
    await tx.query(sql(tx, `DELETE FROM "ci_in_flight" WHERE "payment_id" = $1`), [paymentId]);
  },

  async inFlightStartedBefore(tx: Tx, beforeMs: number, limit: number): Promise<string[]> {
    const rows = await tx.query<{ payment_id: string }>(
      sql(
        tx,
        `SELECT "payment_id" FROM "ci_in_flight" WHERE "started_at_ms" < $1 ORDER BY "started_at_ms" LIMIT $2`,
      ),
      [beforeMs, limit],
    );
    return rows.map((r) => r.payment_id);
  },

  /** Queues a reversal; a second decision for the same payment keeps the first row. */
  async enqueueReversal(tx: Tx, paymentId: string, nowMs: number): Promise<void> {
    await tx.query(
      sql(
        tx,
        `INSERT INTO "ci_reversal_queue" ("payment_id", "attempts", "next_attempt_at_ms", "created_at_ms")
         VALUES ($1, 0, $2, $3) ON CONFLICT ("payment_id") DO NOTHING`,
      ),
      [paymentId, nowMs, nowMs],
    );
  },

  async dequeueReversal(tx: Tx, paymentId: string): Promise<void> {
    await tx.query(sql(tx, `DELETE FROM "ci_reversal_queue" WHERE "payment_id" = $1`), [paymentId]);
  },

  async dueReversals(tx: Tx, nowMs: number, limit: number): Promise<DueReversal[]> {
    const rows = await tx.query<{ payment_id: string; attempts: unknown }>(
      sql(
        tx,
        `SELECT "payment_id", "attempts" FROM "ci_reversal_queue" WHERE "next_attempt_at_ms" <= $1
         ORDER BY "next_attempt_at_ms" LIMIT $2`,
      ),
      [nowMs, limit],
    );
    return rows.map((r) => ({ paymentId: r.payment_id, attempts: num(r.attempts) }));
  },

  async queuedReversals(tx: Tx): Promise<DueReversal[]> {
    const rows = await tx.query<{ payment_id: string; attempts: unknown }>(
      `SELECT "payment_id", "attempts" FROM "ci_reversal_queue" ORDER BY "created_at_ms"`,
    );
    return rows.map((r) => ({ paymentId: r.payment_id, attempts: num(r.attempts) }));
  },

  async rescheduleReversal(
    tx: Tx,
    paymentId: string,
    attempts: number,
    nextAttemptAtMs: number,
  ): Promise<void> {
    await tx.query(
      sql(
        tx,
        `UPDATE "ci_reversal_queue" SET "attempts" = $1, "next_attempt_at_ms" = $2 WHERE "payment_id" = $3`,
      ),
      [attempts, nextAttemptAtMs, paymentId],
    );
  },

  /**
   * A new payment (PaymentInitiated at `lastVersion`): in flight until the
   * issuer answers, and the terminal's until a batch counts it. One
   * statement on Postgres (a data-modifying WITH): these rows are written
   * in the append's transaction, once per authorization.
   */
  async paymentInitiated(
    tx: Tx,
    paymentId: string,
    terminalId: string,
    lastVersion: number,
    nowMs: number,
  ): Promise<void> {
    const inFlight = `INSERT INTO "ci_in_flight" ("payment_id", "terminal_id", "started_at_ms") VALUES ($1, $2, $3)`;
    const terminalPayment = `INSERT INTO "ci_terminal_payments"
      ("payment_id", "terminal_id", "created_at_ms", "last_version", "counted_version", "uncounted")
      VALUES ($1, $2, $3, $4, 0, 1)`;
    if (tx.kind === 'postgres') {
      await tx.query(`WITH "in_flight" AS (${inFlight}) ${terminalPayment}`, [
        paymentId,
        terminalId,
        nowMs,
        lastVersion,
      ]);
      return;
    }
    await tx.query(sql(tx, inFlight), [paymentId, terminalId, nowMs]);
    await tx.query(sql(tx, terminalPayment), [paymentId, terminalId, nowMs, lastVersion]);
  },

  /**
   * Every later append to a payment: the batch must count its new events;
   * `settled` when the payment left `pending` (its in-flight row goes, in
   * the same statement on Postgres).
   */
  async paymentAppended(
    tx: Tx,
    paymentId: string,
    lastVersion: number,
    settled = false,
  ): Promise<void> {
    const appended = `UPDATE "ci_terminal_payments" SET "last_version" = $1, "uncounted" = 1 WHERE "payment_id" = $2`;
    if (settled && tx.kind === 'postgres') {
      await tx.query(
        `WITH "settled" AS (DELETE FROM "ci_in_flight" WHERE "payment_id" = $2) ${appended}`,
        [lastVersion, paymentId],
      );
      return;
    }
    await tx.query(sql(tx, appended), [lastVersion, paymentId]);
    if (settled) await cardInsertTables.deleteInFlight(tx, paymentId);
  },

  /** The terminal's payments with events no closed batch counted. */
  async uncountedTerminalPayments(
    tx: Tx,
    terminalId: string,
  ): Promise<{ paymentId: string; countedVersion: number }[]> {
    const rows = await tx.query<{ payment_id: string; counted_version: unknown }>(
      sql(
        tx,
        `SELECT "payment_id", "counted_version" FROM "ci_terminal_payments"
         WHERE "terminal_id" = $1 AND "uncounted" = 1 ORDER BY "created_at_ms", "payment_id"`,
      ),
      [terminalId],
    );
    return rows.map((r) => ({ paymentId: r.payment_id, countedVersion: num(r.counted_version) }));
  },

  async countedVersionOf(tx: Tx, paymentId: string): Promise<number> {
    const rows = await tx.query<{ counted_version: unknown }>(
      sql(tx, `SELECT "counted_version" FROM "ci_terminal_payments" WHERE "payment_id" = $1`),
      [paymentId],
    );
    return rows.length ? num(rows[0].counted_version) : 0;
  },

  async insertAnsweredRequest(
    tx: Tx,
    row: { requestId: string; operation: string; fingerprint: string; response: string },
    nowMs: number,
  ): Promise<void> {
    await tx.query(
      sql(
        tx,
        `INSERT INTO "ci_requests" ("request_id", "operation", "fingerprint", "response", "created_at_ms")
         VALUES ($1, $2, $3, $4, $5)`,
      ),
      [row.requestId, row.operation, row.fingerprint, row.response, nowMs],
    );
  },

  async answeredRequest(
    tx: Tx,
    requestId: string,
  ): Promise<{ operation: string; fingerprint: string; response: string } | undefined> {
    const rows = await tx.query<{ operation: string; fingerprint: string; response: string }>(
      sql(
        tx,
        `SELECT "operation", "fingerprint", "response" FROM "ci_requests" WHERE "request_id" = $1`,
      ),
      [requestId],
    );
    return rows[0];
  },

  /**
   * A closed batch counted the payment up to `countedVersion`. It stays
   * uncounted if an event was appended since the batch read it (the row's
   * lock orders this against that append's update on Postgres).
   */
  async markCounted(tx: Tx, paymentId: string, countedVersion: number): Promise<void> {
    await tx.query(
      sql(
        tx,
        `UPDATE "ci_terminal_payments"
         SET "counted_version" = $1, "uncounted" = CASE WHEN "last_version" > $2 THEN 1 ELSE 0 END
         WHERE "payment_id" = $3`,
      ),
      [countedVersion, countedVersion, paymentId],
    );
  },
};

/** A read in a transaction of its own (on SQLite this takes the connection lock). */
export function readTables<T>(store: EventStore, work: (tx: Tx) => Promise<T>): Promise<T> {
  return store.transaction((tx) => work(tx));
}
