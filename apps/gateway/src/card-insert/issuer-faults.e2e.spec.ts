import { cardInsertEventsV1, cardInsertV1 } from '@tillgate/contracts';
import { CURRENCY, terminalId } from './testing/acquirer-estate';
import { eventually, journalOf, startE2eRun, type E2eRun } from './testing/e2e-run';
import { TERMINAL_TIMEOUT_MS } from './testing/gateway.process';
import { countIssuerRequests } from './testing/issuer-simulator.process';

// Issuer faults injected through the real issuer simulator's control
// channel, against the real gateway process: an issuer that processes a
// sale and never answers, and a gateway killed (SIGKILL) while the issuer
// has approved and the answer is still on its way.

const { PaymentStatus } = cardInsertV1;
let run: E2eRun;

beforeAll(async () => {
  run = await startE2eRun('faults');
}, 90_000);
afterAll(async () => run?.close(), 30_000);

describe('issuer timeout', () => {
  it('answers 91 within the terminal deadline and delivers the reversal once the issuer answers again', async () => {
    const tid = terminalId(1);
    const opening = await balanceOf(run.estate.cards.approving.profile.pan);
    // The issuer approves (money moves) but its answer is lost; then it
    // ignores every reversal until the fault is cleared: an issuer that is down.
    await run.issuer.addFault({
      match: { terminalId: tid, mti: '0200' },
      action: { kind: 'drop-response' },
    });
    const silentReversals = await run.issuer.addFault({
      match: { terminalId: tid, mti: '0400' },
      action: { kind: 'no-answer' },
      times: 1000,
    });
    const silentRepeats = await run.issuer.addFault({
      match: { terminalId: tid, mti: '0401' },
      action: { kind: 'no-answer' },
      times: 1000,
    });

    const started = Date.now();
    const result = await run.terminals.terminal(1).pay({
      kind: 'sale',
      card: run.estate.cards.approving,
      amountMinor: 4200n,
      currency: CURRENCY.alpha,
    });
    const elapsed = Date.now() - started;

    expect(result.responseCode).toBe('91');
    expect(result.outcome).toBe('declined');
    expect(elapsed).toBeLessThan(TERMINAL_TIMEOUT_MS);
    const paymentId = result.paymentId!;
    const approvals = journalOf(await run.issuer.journal(), tid, 'approval');
    expect(approvals).toHaveLength(1);
    expect(await balanceOf(run.estate.cards.approving.profile.pan)).toBe(opening - 4200);

    // The reversal is queued durably and repeated (0400, then 0401s) while the issuer is silent.
    await eventually('a 0400 and two 0401 repeats', async () => {
      const faults = await run.issuer.faults();
      return (
        countIssuerRequests(faults, silentReversals) >= 1 &&
        countIssuerRequests(faults, silentRepeats) >= 2
      );
    });
    expect(journalOf(await run.issuer.journal(), tid, 'reversal')).toEqual([]);
    await run.kafka.waitFor('ReversalPending', () =>
      run.kafka.paymentEvents(paymentId).includes('ReversalPending'),
    );
    expect(run.kafka.paymentEvents(paymentId)).not.toContain('PaymentReversed');

    // The issuer comes back.
    await run.issuer.clearFaults();
    await eventually(
      'the reversal in the issuer journal',
      async () => journalOf(await run.issuer.journal(), tid, 'reversal').length > 0,
    );
    const reversals = journalOf(await run.issuer.journal(), tid, 'reversal');
    expect(reversals).toEqual([
      expect.objectContaining({
        amount: 4200,
        original: expect.objectContaining({ stan: approvals[0]!.stan }),
      }),
    ]);
    expect(await balanceOf(run.estate.cards.approving.profile.pan)).toBe(opening);
    await run.kafka.waitFor('PaymentReversed', () =>
      run.kafka.paymentEvents(paymentId).includes('PaymentReversed'),
    );
    expect(run.kafka.paymentEvents(paymentId)).toEqual([
      'PaymentInitiated',
      'ReversalPending',
      'PaymentReversed',
    ]);
  }, 40_000);
});

describe('kill -9 of the gateway between the issuer approval and the event append', () => {
  it('ends reversed after a restart: one approval, reversed once, the retransmission gets the recorded answer', async () => {
    const tid = terminalId(2);
    const card = run.estate.cards.second;
    const opening = await balanceOf(card.profile.pan);
    // The issuer approves at once and holds its answer back: the gateway
    // is killed while the approval exists only at the issuer.
    await run.issuer.addFault({
      match: { terminalId: tid, mti: '0200' },
      action: { kind: 'delay', ms: 1200 },
    });
    const terminal = run.terminals.terminal(2);
    const payment = terminal
      .pay({ kind: 'sale', card, amountMinor: 3100n, currency: CURRENCY.alpha })
      .then(
        () => 'answered',
        (err: Error) => err.message,
      );
    await eventually(
      'the issuer approval',
      async () => journalOf(await run.issuer.journal(), tid, 'approval').length > 0,
      10_000,
    );
    await run.killGateway();
    expect(await payment).toMatch(/UNAVAILABLE|ECONNRESET|Connection dropped|No connection/i);
    // Killed in the window: the issuer approved, the gateway had recorded only the initiation.
    const paymentId = await paymentIdOf(tid);
    await expect(run.database.streamEventTypes(paymentId)).resolves.toEqual([
      'tillgate.card_insert.v1.PaymentInitiated',
    ]);
    const approval = journalOf(await run.issuer.journal(), tid, 'approval')[0]!;
    if (approval.kind !== 'approval') throw new Error('not an approval');
    expect(await balanceOf(card.profile.pan)).toBe(opening - 3100);

    // From here on, count every 0200 of this terminal that reaches the issuer.
    const counter = await run.issuer.addFault({
      match: { terminalId: tid, mti: '0200' },
      action: { kind: 'delay', ms: 0 },
      times: 1000,
    });
    await run.restartGateway();

    // Nobody asks: the restarted gateway finds the in-flight payment and reverses it.
    await eventually(
      'the reversal of the approval',
      async () => journalOf(await run.issuer.journal(), tid, 'reversal').length > 0,
      20_000,
    );
    await run.kafka.waitFor('PaymentReversed', () =>
      run.kafka.paymentEvents(paymentId).includes('PaymentReversed'),
    );

    // The terminal got no answer and sends the same Authorize again.
    const again = await run.terminals.terminal(2).retransmit();
    const twice = await run.terminals.terminal(2).retransmit();
    expect(again.operation).toBe('Authorize');
    const answer = again.response as cardInsertV1.AuthorizeResponse;
    expect(answer.paymentId).toBe(paymentId);
    expect(answer.responseCode).toBe('91');
    // The authorization's own answer: declined for no issuer answer (the reversal is the acquirer's business).
    expect(answer.status).toBe(PaymentStatus.PAYMENT_STATUS_DECLINED);
    expect(twice.response).toEqual(again.response);

    const journal = await run.issuer.journal();
    expect(journalOf(journal, tid, 'approval')).toEqual([approval]);
    expect(journalOf(journal, tid, 'reversal')).toEqual([
      expect.objectContaining({
        amount: 3100,
        original: expect.objectContaining({ stan: approval.stan, authCode: approval.authCode }),
      }),
    ]);
    expect(countIssuerRequests(await run.issuer.faults(), counter)).toBe(0);
    expect(await balanceOf(card.profile.pan)).toBe(opening);
    // Never doubled: one stream, one initiation, reversed once, nothing approved in it.
    await expect(run.database.streamEventTypes(paymentId)).resolves.toEqual([
      'tillgate.card_insert.v1.PaymentInitiated',
      'tillgate.card_insert.v1.ReversalPending',
      'tillgate.card_insert.v1.PaymentReversed',
    ]);
  }, 60_000);
});

async function balanceOf(pan: string): Promise<number> {
  const masked = `${pan.slice(0, 6)}${'*'.repeat(pan.length - 10)}${pan.slice(-4)}`;
  const card = (await run.issuer.cards()).find((c) => c.maskedPan === masked);
  if (!card) throw new Error(`the issuer simulator has no card ${masked}`);
  return card.available;
}

/** The payment the terminal started (its only one), from the database: the terminal never got an answer. */
function paymentIdOf(tid: string): Promise<string> {
  return run.database.with(async (client) => {
    const { rows } = await client.query<{ stream_id: string; payload: Buffer }>(
      `SELECT stream_id, payload FROM es_events WHERE event_type = 'tillgate.card_insert.v1.PaymentInitiated'`,
    );
    const ids = rows
      .filter((r) => cardInsertEventsV1.PaymentInitiated.decode(r.payload).terminalId === tid)
      .map((r) => r.stream_id.slice('payments-'.length));
    if (ids.length !== 1) throw new Error(`expected one payment of ${tid}, found ${ids.length}`);
    return ids[0]!;
  });
}
