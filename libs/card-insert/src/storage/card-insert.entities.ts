import { EntitySchema } from 'typeorm';

/**
 * The card-insert service's own tables, beside the event store's. They are
 * work lists, not the truth: every row is written in the same transaction
 * as the event that calls for it, so a row exists exactly while its event
 * says there is work to do. Instants are epoch milliseconds (bigint) on both
 * databases, so the same SQL compares them.
 */

/** A payment sent to the issuer whose answer is not recorded yet. */
export interface InFlightRow {
  paymentId: string;
  terminalId: string;
  startedAtMs: string;
}

/** A reversal decided and not acknowledged yet. */
export interface ReversalQueueRow {
  paymentId: string;
  attempts: number;
  nextAttemptAtMs: string;
  createdAtMs: string;
}

/**
 * A terminal's payment: its stream's last version (kept by every append)
 * and the version counted so far in closed batches. `uncounted` is 1 while
 * some event is not in a closed batch yet: CloseBatch reads only those rows.
 */
export interface TerminalPaymentRow {
  paymentId: string;
  terminalId: string;
  createdAtMs: string;
  lastVersion: number;
  countedVersion: number;
  uncounted: number;
}

export const inFlightEntity = new EntitySchema<InFlightRow>({
  name: 'CardInsertInFlight',
  tableName: 'ci_in_flight',
  columns: {
    paymentId: {
      name: 'payment_id',
      type: 'varchar',
      length: 36,
      primary: true,
      primaryKeyConstraintName: 'pk_ci_in_flight',
    },
    terminalId: { name: 'terminal_id', type: 'varchar', length: 16 },
    startedAtMs: { name: 'started_at_ms', type: 'bigint' },
  },
  indices: [{ name: 'ix_ci_in_flight_started', columns: ['startedAtMs'] }],
});

export const reversalQueueEntity = new EntitySchema<ReversalQueueRow>({
  name: 'CardInsertReversalQueue',
  tableName: 'ci_reversal_queue',
  columns: {
    paymentId: {
      name: 'payment_id',
      type: 'varchar',
      length: 36,
      primary: true,
      primaryKeyConstraintName: 'pk_ci_reversal_queue',
    },
    attempts: { type: 'integer' },
    nextAttemptAtMs: { name: 'next_attempt_at_ms', type: 'bigint' },
    createdAtMs: { name: 'created_at_ms', type: 'bigint' },
  },
  indices: [{ name: 'ix_ci_reversal_queue_due', columns: ['nextAttemptAtMs'] }],
});

export const terminalPaymentEntity = new EntitySchema<TerminalPaymentRow>({
  name: 'CardInsertTerminalPayment',
  tableName: 'ci_terminal_payments',
  columns: {
    paymentId: {
      name: 'payment_id',
      type: 'varchar',
      length: 36,
      primary: true,
      primaryKeyConstraintName: 'pk_ci_terminal_payments',
    },
    terminalId: { name: 'terminal_id', type: 'varchar', length: 16 },
    createdAtMs: { name: 'created_at_ms', type: 'bigint' },
    lastVersion: { name: 'last_version', type: 'integer' },
    countedVersion: { name: 'counted_version', type: 'integer', default: 0 },
    uncounted: { type: 'integer', default: 1 },
  },
  indices: [{ name: 'ix_ci_terminal_payments_open', columns: ['terminalId', 'uncounted'] }],
});

/**
 * A terminal request other than Authorize that was answered: a
 * retransmission (same terminal, STAN and client request id) gets the
 * stored response again, re-signed; another body is refused. The response
 * is the unsigned protobuf message, base64 (it holds a masked PAN at most).
 */
export interface AnsweredRequestRow {
  requestId: string;
  operation: string;
  fingerprint: string;
  response: string;
  createdAtMs: string;
}

export const answeredRequestEntity = new EntitySchema<AnsweredRequestRow>({
  name: 'CardInsertAnsweredRequest',
  tableName: 'ci_requests',
  columns: {
    requestId: {
      name: 'request_id',
      type: 'varchar',
      length: 36,
      primary: true,
      primaryKeyConstraintName: 'pk_ci_requests',
    },
    operation: { type: 'varchar', length: 16 },
    fingerprint: { type: 'varchar', length: 64 },
    response: { type: 'text' },
    createdAtMs: { name: 'created_at_ms', type: 'bigint' },
  },
});

/**
 * The last DUKPT KSN counter accepted from one terminal device, and the
 * channels already used at that counter, comma-separated in the order they
 * were used (e.g. `mac,pin`): the state of a KsnCounterState, which a
 * replayed KSN is checked against (SqlKsnCounterRepository).
 */
export interface KsnCounterRow {
  deviceKey: string;
  counter: string;
  channels: string;
}

export const ksnCounterEntity = new EntitySchema<KsnCounterRow>({
  name: 'CardInsertKsnCounter',
  tableName: 'ci_ksn_counters',
  columns: {
    deviceKey: {
      name: 'device_key',
      type: 'varchar',
      length: 128,
      primary: true,
      primaryKeyConstraintName: 'pk_ci_ksn_counters',
    },
    counter: { type: 'bigint' },
    channels: { type: 'varchar', length: 16 },
  },
});

export const cardInsertEntities = [
  inFlightEntity,
  reversalQueueEntity,
  terminalPaymentEntity,
  answeredRequestEntity,
  ksnCounterEntity,
];
