import { status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { requestMacInput, type CardInsertRequests } from '@tillgate/card-insert';
import { cardInsertV1 } from '@tillgate/contracts';
import { parseKsn } from '@tillgate/crypto';
import {
  dukptTransaction,
  injectInitialKey,
  testTerminalKey,
  type CardInsertApi,
} from '@tillgate/terminal-sim';
import { CURRENCY, terminalId } from './testing/acquirer-estate';
import { eventually, journalOf, startE2eRun, type E2eRun } from './testing/e2e-run';
import { countIssuerRequests } from './testing/issuer-simulator.process';

// Retransmissions (sequential and concurrent), a void, a partial refund and
// the batch close, through the real gateway process with the real issuer
// simulator, Postgres and Kafka.

const { PaymentStatus } = cardInsertV1;
type AuthorizeRequest = CardInsertRequests['Authorize'];
type AuthorizeResponse = cardInsertV1.AuthorizeResponse;
let run: E2eRun;

beforeAll(async () => {
  run = await startE2eRun('retransmit');
}, 90_000);
afterAll(async () => run?.close(), 30_000);

/** A terminal link that sends every Authorize `copies` times at once, as a flaky network would. */
function duplicatingAuthorize(copies: number) {
  const sent: { request?: AuthorizeRequest; answers: PromiseSettledResult<AuthorizeResponse>[] } = {
    answers: [],
  };
  const wrap = (api: CardInsertApi): CardInsertApi => ({
    ...api,
    Authorize: async (request) => {
      sent.request = request;
      sent.answers = await Promise.allSettled(
        Array.from({ length: copies }, () => api.Authorize(request)),
      );
      const first = sent.answers[0]!;
      if (first.status === 'rejected') throw first.reason;
      return first.value;
    },
  });
  return { sent, wrap };
}

describe('retransmissions', () => {
  it('sends 10 concurrent copies of an Authorize to the issuer once and gives each the same answer', async () => {
    const tid = terminalId(3);
    const counter = await run.issuer.addFault({
      match: { terminalId: tid, mti: '0200' },
      action: { kind: 'delay', ms: 0 },
      times: 1000,
    });
    const link = duplicatingAuthorize(10);
    const terminal = run.terminals.terminal(3, { wrap: link.wrap });
    const result = await terminal.pay({
      kind: 'sale',
      card: run.estate.cards.approving,
      amountMinor: 700n,
      currency: CURRENCY.alpha,
    });

    expect(result.outcome).toBe('approved');
    const answers = link.sent.answers.map((a) => {
      if (a.status === 'rejected') throw a.reason;
      return a.value;
    });
    expect(answers).toHaveLength(10);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]).toMatchObject({ responseCode: '00', paymentId: result.paymentId });
    expect(countIssuerRequests(await run.issuer.faults(), counter)).toBe(1);
    expect(journalOf(await run.issuer.journal(), tid, 'approval')).toHaveLength(1);

    // Later copies of the Authorize and of the Complete: the recorded answers, no issuer request.
    const api = run.terminals.api();
    const late = await api.Authorize(link.sent.request!);
    expect(late).toMatchObject({
      paymentId: result.paymentId,
      responseCode: '00',
      authCode: result.authCode,
    });
    const complete = await terminal.retransmit();
    expect(complete.operation).toBe('Complete');
    expect(complete.response).toEqual(result.complete);
    expect(countIssuerRequests(await run.issuer.faults(), counter)).toBe(1);
    await run.kafka.waitFor(
      'the sale',
      () => run.kafka.paymentEvents(result.paymentId!).length >= 4,
    );
    expect(run.kafka.paymentEvents(result.paymentId!)).toEqual([
      'PaymentInitiated',
      'PaymentAuthorized',
      'PaymentCompleted',
      'PaymentCaptured',
    ]);
  }, 30_000);

  it('refuses the same client request id with another body with ALREADY_EXISTS', async () => {
    const link = duplicatingAuthorize(1);
    const terminal = run.terminals.terminal(3, { wrap: link.wrap });
    await terminal.pay({
      kind: 'sale',
      card: run.estate.cards.approving,
      amountMinor: 800n,
      currency: CURRENCY.alpha,
    });
    const original = link.sent.request!;
    // Same terminal, STAN, client request id and KSN, another amount, MACed
    // correctly: not a retransmission but a different request.
    const changed = remac({ ...original, amount: { amountMinor: '80000', currency: 'CNY' } }, 3);
    const refused = await run.terminals
      .api()
      .Authorize(changed)
      .then(
        () => undefined,
        (err: ServiceError) => err,
      );
    expect(refused?.code).toBe(grpcStatus.ALREADY_EXISTS);
    expect(refused?.metadata.get('tillgate-field')).toEqual(['header.client_request_id']);
  }, 30_000);
});

describe('void, partial refund and batch close', () => {
  it('voids one sale, refunds part of another, and closes the batch with the totals of the Kafka events', async () => {
    const tid = terminalId(4);
    const terminal = run.terminals.terminal(4);
    const sale = (amountMinor: bigint) =>
      terminal.pay({
        kind: 'sale',
        card: run.estate.cards.second,
        amountMinor,
        currency: CURRENCY.alpha,
      });

    const voided = await sale(2000n);
    const refunded = await sale(3000n);
    const kept = await sale(550n);
    for (const r of [voided, refunded, kept]) expect(r.outcome).toBe('approved');

    const voidAnswer = await terminal.void(voided.paymentId!);
    expect(voidAnswer.response.status).toBe(PaymentStatus.PAYMENT_STATUS_VOIDED);
    const refundAnswer = await terminal.refund(refunded.paymentId!, 1000n, CURRENCY.alpha);
    expect(refundAnswer.response).toMatchObject({
      refunded: { amountMinor: '1000', currency: 'CNY' },
      refundable: { amountMinor: '2000', currency: 'CNY' },
    });
    // More than what is left to refund is refused.
    await expect(terminal.refund(refunded.paymentId!, 2001n, CURRENCY.alpha)).rejects.toMatchObject(
      {
        code: grpcStatus.OUT_OF_RANGE,
      },
    );

    // The void gave the money back at the issuer.
    await eventually('the void at the issuer', async () =>
      journalOf(await run.issuer.journal(), tid, 'reversal').some((r) => r.amount === 2000),
    );

    const ids = [voided, refunded, kept].map((r) => r.paymentId!);
    await run.kafka.waitFor(
      'the void and the refund',
      () =>
        run.kafka.paymentEvents(ids[0]!).includes('PaymentVoided') &&
        run.kafka.paymentEvents(ids[1]!).includes('PaymentRefunded'),
    );
    const closed = await terminal.closeBatch();
    const totals = totalsOfEvents(ids.flatMap((id) => run.kafka.decodedPayment(id)));

    expect(closed.response.batchNumber).toBe(1);
    expect(closed.response.totals).toEqual([
      {
        currency: 'CNY',
        saleCount: totals.saleCount,
        saleAmountMinor: String(totals.sales),
        refundCount: totals.refundCount,
        refundAmountMinor: String(totals.refunds),
        voidCount: totals.voidCount,
        voidAmountMinor: String(totals.voids),
        netAmountMinor: String(totals.sales - totals.refunds),
      },
    ]);
    // And what the terminal did: sales 30.00 + 5.50 (the void took 20.00 out), one refund of 10.00.
    expect(totals).toEqual({
      saleCount: 2,
      sales: 3550,
      refundCount: 1,
      refunds: 1000,
      voidCount: 1,
      voids: 2000,
    });
  }, 40_000);
});

/**
 * Batch totals from the payment events as a consumer of the topic would
 * compute them: captures are sales, a void takes its sale out again.
 */
function totalsOfEvents(events: ReturnType<E2eRun['kafka']['decodedPayment']>) {
  const t = { saleCount: 0, sales: 0, refundCount: 0, refunds: 0, voidCount: 0, voids: 0 };
  for (const e of events) {
    if (e.type === 'PaymentCaptured') {
      t.saleCount += 1;
      t.sales += Number(e.data.amountMinor);
    } else if (e.type === 'PaymentRefunded') {
      t.refundCount += 1;
      t.refunds += Number(e.data.amountMinor);
    } else if (e.type === 'PaymentVoided') {
      t.voidCount += 1;
      t.voids += Number(e.data.amountMinor);
      t.saleCount -= 1;
      t.sales -= Number(e.data.amountMinor);
    }
  }
  return t;
}

/** The request MACed again under its own KSN (what a terminal with the same key would send). */
function remac(request: AuthorizeRequest, terminalNumber: number): AuthorizeRequest {
  const ksn = Buffer.from(request.authentication!.ksn);
  const dukpt = dukptTransaction(
    injectInitialKey(testTerminalKey('tdes', terminalNumber)),
    parseKsn(ksn).counter,
  );
  const unsigned = {
    ...request,
    authentication: { ...request.authentication!, mac: new Uint8Array(0) },
  };
  return {
    ...request,
    authentication: {
      ...request.authentication!,
      mac: dukpt.requestMac(requestMacInput('Authorize', unsigned)),
    },
  };
}
