import type { MigrationInterface, QueryRunner } from 'typeorm';

// The same statements on Postgres and SQLite. The counter is a bigint: an
// AES DUKPT transaction counter has 32 bits, beyond a signed integer.
const UP = [
  `CREATE TABLE "ci_ksn_counters" (
    "device_key" varchar(128) NOT NULL,
    "counter" bigint NOT NULL,
    "channels" varchar(16) NOT NULL,
    CONSTRAINT "pk_ci_ksn_counters" PRIMARY KEY ("device_key"))`,
];

const DOWN = [`DROP TABLE "ci_ksn_counters"`];

/** The last accepted DUKPT KSN counter of each terminal device (SqlKsnCounterRepository). */
export class CreateKsnCounters1764300000000 implements MigrationInterface {
  name = 'CreateKsnCounters1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const sql of UP) await runner.query(sql);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const sql of DOWN) await runner.query(sql);
  }
}
