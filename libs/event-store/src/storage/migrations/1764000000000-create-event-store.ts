import type { MigrationInterface, QueryRunner } from 'typeorm';

const POSTGRES_UP = [
  `CREATE TABLE "es_events" (
    "position" BIGSERIAL NOT NULL,
    "event_id" uuid NOT NULL,
    "stream_id" character varying(200) NOT NULL,
    "stream_version" integer NOT NULL,
    "event_type" character varying(200) NOT NULL,
    "schema_version" integer NOT NULL,
    "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
    "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
    "correlation_id" character varying(100),
    "causation_id" character varying(100),
    "merchant_id" character varying(64),
    "payload" bytea NOT NULL,
    CONSTRAINT "uq_es_events_event_id" UNIQUE ("event_id"),
    CONSTRAINT "uq_es_events_stream_version" UNIQUE ("stream_id", "stream_version"),
    CONSTRAINT "pk_es_events" PRIMARY KEY ("position"))`,
  `CREATE TABLE "es_outbox" (
    "position" bigint NOT NULL,
    "tx_id" bigint,
    "topic" character varying(249) NOT NULL,
    CONSTRAINT "pk_es_outbox" PRIMARY KEY ("position"))`,
  `CREATE INDEX "ix_es_outbox_tx_position" ON "es_outbox" ("tx_id", "position")`,
  `CREATE TABLE "es_relay_checkpoints" (
    "relay" character varying(100) NOT NULL,
    "tx_id" bigint,
    "position" bigint NOT NULL,
    "lease_holder" character varying(100),
    "lease_expires_at" bigint,
    "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT "pk_es_relay_checkpoints" PRIMARY KEY ("relay"))`,
  `CREATE TABLE "es_consumer_offsets" (
    "consumer" character varying(100) NOT NULL,
    "topic" character varying(249) NOT NULL,
    "partition" integer NOT NULL,
    "next_offset" bigint NOT NULL,
    "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT "pk_es_consumer_offsets" PRIMARY KEY ("consumer", "topic", "partition"))`,
  `CREATE TABLE "es_consumer_processed" (
    "consumer" character varying(100) NOT NULL,
    "event_id" uuid NOT NULL,
    "outcome" character varying(16) NOT NULL,
    "processed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT "pk_es_consumer_processed" PRIMARY KEY ("consumer", "event_id"))`,
];

const SQLITE_UP = [
  // AUTOINCREMENT: a position is never reused, even after the newest event's transaction rolled back.
  `CREATE TABLE "es_events" (
    "position" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
    "event_id" varchar(36) NOT NULL,
    "stream_id" varchar(200) NOT NULL,
    "stream_version" integer NOT NULL,
    "event_type" varchar(200) NOT NULL,
    "schema_version" integer NOT NULL,
    "occurred_at" bigint NOT NULL,
    "recorded_at" bigint NOT NULL,
    "correlation_id" varchar(100),
    "causation_id" varchar(100),
    "merchant_id" varchar(64),
    "payload" blob NOT NULL,
    CONSTRAINT "uq_es_events_event_id" UNIQUE ("event_id"),
    CONSTRAINT "uq_es_events_stream_version" UNIQUE ("stream_id", "stream_version"))`,
  `CREATE TABLE "es_outbox" (
    "position" bigint PRIMARY KEY NOT NULL,
    "tx_id" bigint,
    "topic" varchar(249) NOT NULL)`,
  `CREATE TABLE "es_relay_checkpoints" (
    "relay" varchar(100) PRIMARY KEY NOT NULL,
    "tx_id" bigint,
    "position" bigint NOT NULL,
    "lease_holder" varchar(100),
    "lease_expires_at" bigint,
    "updated_at" bigint NOT NULL)`,
  `CREATE TABLE "es_consumer_offsets" (
    "consumer" varchar(100) NOT NULL,
    "topic" varchar(249) NOT NULL,
    "partition" integer NOT NULL,
    "next_offset" bigint NOT NULL,
    "updated_at" bigint NOT NULL,
    PRIMARY KEY ("consumer", "topic", "partition"))`,
  `CREATE TABLE "es_consumer_processed" (
    "consumer" varchar(100) NOT NULL,
    "event_id" varchar(36) NOT NULL,
    "outcome" varchar(16) NOT NULL,
    "processed_at" bigint NOT NULL,
    PRIMARY KEY ("consumer", "event_id"))`,
];

// TypeORM reads an SQLite schema back by parsing the CREATE TABLE text, so
// these are kept in the exact one-line form it generates.
const SQLITE_UP_ONE_LINE = SQLITE_UP.map((sql) =>
  sql.replace(/\(\s+/g, '(').replace(/\s*\n\s*/g, ' '),
);

const DOWN = [
  'es_consumer_processed',
  'es_consumer_offsets',
  'es_relay_checkpoints',
  'es_outbox',
  'es_events',
].map((table) => `DROP TABLE "${table}"`);

/** The event log, its outbox, the relay's checkpoint and the consumers' offsets and dedupe set. */
export class CreateEventStore1764000000000 implements MigrationInterface {
  name = 'CreateEventStore1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements =
      queryRunner.connection.options.type === 'postgres' ? POSTGRES_UP : SQLITE_UP_ONE_LINE;
    for (const sql of statements) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of DOWN) await queryRunner.query(sql);
  }
}
