import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = ['record_key', 'record_value', 'record_headers'];

/**
 * Protobuf's base-128 varint of a non-negative bigint (7 bits a byte, least
 * significant first): the append's INSERT splices the position the database
 * just assigned into the stored envelope with it. PL/pgSQL because it is
 * several times faster here than the equivalent single SQL expression.
 */
const CREATE_UVARINT = `CREATE FUNCTION es_uvarint(value bigint) RETURNS bytea
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  bytes bytea := ''::bytea;
BEGIN
  IF value < 0 THEN
    RAISE EXCEPTION 'es_uvarint: % is negative', value;
  END IF;
  WHILE value >= 128 LOOP
    bytes := bytes || set_byte('\\x00'::bytea, 0, ((value & 127) | 128)::int);
    value := value >> 7;
  END LOOP;
  RETURN bytes || set_byte('\\x00'::bytea, 0, value::int);
END
$$`;

/**
 * Outbox rows carry their Kafka record, encoded once by the append (key,
 * EventEnvelope value, headers), so the relay publishes stored bytes (see
 * kafka/outbox-record.ts). The columns are nullable and nothing is
 * backfilled: rows written before this migration, or by a process still
 * running the previous version during a rolling deploy, have no record, and
 * the relay encodes those from es_events as it did before.
 */
export class OutboxStoresKafkaRecords1764200000000 implements MigrationInterface {
  name = 'OutboxStoresKafkaRecords1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query(
        `ALTER TABLE "es_outbox" ${COLUMNS.map((c) => `ADD "${c}" bytea`).join(', ')}`,
      );
      await queryRunner.query(CREATE_UVARINT);
    } else {
      for (const column of COLUMNS)
        await queryRunner.query(`ALTER TABLE "es_outbox" ADD COLUMN "${column}" blob`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query('DROP FUNCTION es_uvarint(bigint)');
      await queryRunner.query(
        `ALTER TABLE "es_outbox" ${COLUMNS.map((c) => `DROP COLUMN "${c}"`).join(', ')}`,
      );
    } else {
      for (const column of [...COLUMNS].reverse())
        await queryRunner.query(`ALTER TABLE "es_outbox" DROP COLUMN "${column}"`);
    }
  }
}
