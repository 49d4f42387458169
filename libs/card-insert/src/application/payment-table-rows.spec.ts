import type { AlsoStatement } from '@tillgate/event-store';
import type { PaymentCommand } from '../domain/payment.commands';
import { paymentDecider } from '../domain/payment.decider';
import type { PaymentEvent } from '../domain/payment.events';
import type { PaymentState } from '../domain/payment.state';
import { initiated } from '../testing/payment.builders';
import { tableRows } from './payment-streams';

const PAYMENT = '0b6c1e9a-5d2f-8a41-9c3e-7f1a2b3c4d5e';
const NOW = 1_764_000_000_000;

/** Each statement as "<verb> <table> <params>", from its SQL. */
const described = (rows: AlsoStatement[]) =>
  rows.map(({ sql, params }) => {
    const [, verb, table] = /^\s*(INSERT INTO|UPDATE|DELETE FROM) "(\w+)"/.exec(sql) ?? [];
    expect(sql).toMatch(/\bappended\b/);
    return `${verb} ${table} ${JSON.stringify(params)}`;
  });

/** The rows of deciding `command` on `state`, whose stream is at `version`. */
function rowsOf(state: PaymentState, version: number, command: PaymentCommand) {
  const events = paymentDecider.decide(command, state);
  const after = events.reduce(paymentDecider.evolve, state);
  const rows = tableRows(
    { paymentId: PAYMENT, before: state, events, after, nowMs: NOW },
    version + events.length,
  );
  return { events: events.map((e) => e.type), after, rows: described(rows) };
}

describe("a payment's work-table rows, written with its events", () => {
  const first: PaymentEvent = initiated({ paymentId: PAYMENT, terminalId: 'TERM0007' });
  const pending = paymentDecider.evolve(paymentDecider.initialState(), first);

  it('puts a new payment in flight and in its terminal batch', () => {
    const rows = tableRows(
      {
        paymentId: PAYMENT,
        before: paymentDecider.initialState(),
        events: [first],
        after: pending,
        nowMs: NOW,
      },
      1,
    );
    expect(described(rows)).toEqual([
      `INSERT INTO ci_in_flight ${JSON.stringify([PAYMENT, 'TERM0007', NOW])}`,
      `INSERT INTO ci_terminal_payments ${JSON.stringify([PAYMENT, 'TERM0007', NOW, 1])}`,
    ]);
  });

  it('takes an answered payment out of flight and has the batch count its new events', () => {
    const approved = rowsOf(pending, 1, {
      type: 'RecordIssuerAnswer',
      answer: {
        outcome: 'approved',
        responseCode: '00',
        authCode: 'A1B2C3',
        rrn: '00000000ABCD',
        issuerData: new Uint8Array(),
      },
    });
    expect(approved.events).toEqual(['PaymentAuthorized']);
    expect(approved.rows).toEqual([
      `UPDATE ci_terminal_payments ${JSON.stringify([2, PAYMENT])}`,
      `DELETE FROM ci_in_flight ${JSON.stringify([PAYMENT])}`,
    ]);
  });

  it('queues the reversal of an unanswered payment, and unqueues it once reversed', () => {
    const unanswered = rowsOf(pending, 1, {
      type: 'RecordIssuerAnswer',
      answer: { outcome: 'no_answer' },
    });
    expect(unanswered.events).toContain('ReversalPending');
    const version = 1 + unanswered.events.length;
    expect(unanswered.rows).toEqual([
      `UPDATE ci_terminal_payments ${JSON.stringify([version, PAYMENT])}`,
      `DELETE FROM ci_in_flight ${JSON.stringify([PAYMENT])}`,
      `INSERT INTO ci_reversal_queue ${JSON.stringify([PAYMENT, NOW])}`,
    ]);

    const reversed = rowsOf(unanswered.after, version, {
      type: 'AcknowledgeReversal',
      responseCode: '00',
      repeats: 0,
    });
    expect(reversed.events).toEqual(['PaymentReversed']);
    // No longer pending before or after: in flight was settled already.
    expect(reversed.rows).toEqual([
      `UPDATE ci_terminal_payments ${JSON.stringify([version + 1, PAYMENT])}`,
      `DELETE FROM ci_reversal_queue ${JSON.stringify([PAYMENT])}`,
    ]);
  });

  it('writes nothing for a decision without events', () => {
    expect(
      tableRows({ paymentId: PAYMENT, before: pending, events: [], after: pending, nowMs: NOW }, 1),
    ).toEqual([]);
  });
});
