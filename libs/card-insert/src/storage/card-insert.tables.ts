import type { AlsoStatement, EventStore, EventStoreTransaction } from '@tillgate/event-store';

type Tx = Pick<EventStoreTransaction, 'kind' | 'query'>;

/** `$1, $2...` placeholders for Postgres, `?` for SQLite (parameters are always in order here). */
function sql(tx: Tx, text: string): string {
  return tx.kind === 'postgres' ? text : text.replace(/\$\d+/g, '?');
}

const num = (value: unknown): number => Number(value);

// A payment leaves the in-flight table, and the reversal queue, by these: on
// their own (the reversal worker) or with an append (paymentRows).
const DELETE_IN_FLIGHT = `DELETE FROM "ci_in_flight" WHERE "payment_id" = $1`;
const DEQUEUE_REVERSAL = `DELETE FROM "ci_reversal_queue" WHERE "payment_id" = $1`;
const IF_APPENDED = ' AND EXISTS (SELECT 1 FROM appended)';

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
    await tx.query(sql(tx, DELETE_IN_FLIGHT), [paymentId]);
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

  async dequeueReversal(tx: Tx, paymentId: string): Promise<void> {
    await tx.query(sql(tx, DEQUEUE_REVERSAL), [paymentId]);
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

/**
 * The work-table rows an append to a payment's stream writes with its
 * events, as statements the event store runs with the append
 * (`alsoStatements`: each acts once per row of `appended`).
 */
export const paymentRows = {
  /**
   * The payment is in flight until the issuer answers, and the terminal's
   * until a batch counts it.
   */
  initiated(
    paymentId: string,
    terminalId: string,
    lastVersion: number,
    nowMs: number,
  ): AlsoStatement[] {
    return [
      {
        sql: `INSERT INTO "ci_in_flight" ("payment_id", "terminal_id", "started_at_ms")
              SELECT $1, $2, $3 FROM appended`,
        params: [paymentId, terminalId, nowMs],
      },
      {
        sql: `INSERT INTO "ci_terminal_payments"
                ("payment_id", "terminal_id", "created_at_ms", "last_version", "counted_version", "uncounted")
              SELECT $1, $2, $3, $4, 0, 1 FROM appended`,
        params: [paymentId, terminalId, nowMs, lastVersion],
      },
    ];
  },

  /**
   * Every later append: the batch must count its new events; `settled` when
   * the payment left `pending`, so it is no longer in flight.
   */
  appended(paymentId: string, lastVersion: number, settled: boolean): AlsoStatement[] {
    const counted: AlsoStatement = {
      sql: `UPDATE "ci_terminal_payments" SET "last_version" = $1, "uncounted" = 1
             WHERE "payment_id" = $2${IF_APPENDED}`,
      params: [lastVersion, paymentId],
    };
    if (!settled) return [counted];
    return [counted, { sql: DELETE_IN_FLIGHT + IF_APPENDED, params: [paymentId] }];
  },

  /** Queues a reversal; a second decision for the same payment keeps the first row. */
  reversalQueued(paymentId: string, nowMs: number): AlsoStatement {
    return {
      // WHERE true: SQLite's upsert after INSERT ... SELECT needs a WHERE to parse.
      sql: `INSERT INTO "ci_reversal_queue" ("payment_id", "attempts", "next_attempt_at_ms", "created_at_ms")
            SELECT $1, 0, $2, $2 FROM appended WHERE true ON CONFLICT ("payment_id") DO NOTHING`,
      params: [paymentId, nowMs],
    };
  },

  reversalDone(paymentId: string): AlsoStatement {
    return { sql: DEQUEUE_REVERSAL + IF_APPENDED, params: [paymentId] };
  },
};
