import type { MigrationInterface, QueryRunner } from 'typeorm';

// The same statements on Postgres and SQLite: only portable types are used
// (varchar, integer, bigint epoch milliseconds).
const UP = [
  `CREATE TABLE "ci_in_flight" (
    "payment_id" varchar(36) NOT NULL,
    "terminal_id" varchar(16) NOT NULL,
    "started_at_ms" bigint NOT NULL,
    CONSTRAINT "pk_ci_in_flight" PRIMARY KEY ("payment_id"))`,
  `CREATE INDEX "ix_ci_in_flight_started" ON "ci_in_flight" ("started_at_ms")`,
  `CREATE TABLE "ci_reversal_queue" (
    "payment_id" varchar(36) NOT NULL,
    "attempts" integer NOT NULL,
    "next_attempt_at_ms" bigint NOT NULL,
    "created_at_ms" bigint NOT NULL,
    CONSTRAINT "pk_ci_reversal_queue" PRIMARY KEY ("payment_id"))`,
  `CREATE INDEX "ix_ci_reversal_queue_due" ON "ci_reversal_queue" ("next_attempt_at_ms")`,
  `CREATE TABLE "ci_terminal_payments" (
    "payment_id" varchar(36) NOT NULL,
    "terminal_id" varchar(16) NOT NULL,
    "created_at_ms" bigint NOT NULL,
    "last_version" integer NOT NULL,
    "counted_version" integer NOT NULL DEFAULT 0,
    "uncounted" integer NOT NULL DEFAULT 1,
    CONSTRAINT "pk_ci_terminal_payments" PRIMARY KEY ("payment_id"))`,
  `CREATE INDEX "ix_ci_terminal_payments_open" ON "ci_terminal_payments" ("terminal_id", "uncounted")`,
  `CREATE TABLE "ci_requests" (
    "request_id" varchar(36) NOT NULL,
    "operation" varchar(16) NOT NULL,
    "fingerprint" varchar(64) NOT NULL,
    "response" text NOT NULL,
    "created_at_ms" bigint NOT NULL,
    CONSTRAINT "pk_ci_requests" PRIMARY KEY ("request_id"))`,
];

const DOWN = [
  `DROP TABLE "ci_requests"`,
  `DROP INDEX "ix_ci_terminal_payments_open"`,
  `DROP TABLE "ci_terminal_payments"`,
  `DROP INDEX "ix_ci_reversal_queue_due"`,
  `DROP TABLE "ci_reversal_queue"`,
  `DROP INDEX "ix_ci_in_flight_started"`,
  `DROP TABLE "ci_in_flight"`,
];

export class CreateCardInsertTables1764100000000 implements MigrationInterface {
  name = 'CreateCardInsertTables1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const sql of UP) await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const sql of DOWN) await runner.query(sql);
  }
}
