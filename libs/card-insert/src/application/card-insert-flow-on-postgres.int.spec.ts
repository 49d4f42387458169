import { cardInsertV1 } from '@tillgate/contracts';
import type { DataSource } from 'typeorm';
import { approve, FakeIssuer } from '../testing/card-insert.fakes';
import { freshCardInsertDatabase } from '../testing/card-insert.database';
import { cardInsertHarness, type Harness } from '../testing/card-insert.harness';
import {
  aCloseBatchRequest,
  aCompleteRequest,
  aHeader,
  anAuthorizeRequest,
  aRefundRequest,
  aVoidRequest,
} from '../testing/card-insert.requests';
import { randomUUID } from 'node:crypto';
import { paymentDecider } from '../domain/payment.decider';
import { initiated } from '../testing/payment.builders';
import { requestUuid } from './request-identity';

const S = cardInsertV1.PaymentStatus;
const TC = cardInsertV1.CardDecision.CARD_DECISION_TC;

/** The whole flow's SQL on the real Postgres: retransmissions, refunds, voids, batches. */
describe('the card-insert flow on Postgres', () => {
  let db: Awaited<ReturnType<typeof freshCardInsertDatabase>>;
  let dataSource: DataSource;
  let h: Harness;
  let stan = 500;
  const header = () => aHeader({ stan: ++stan, clientRequestId: `pg-${stan}` });

  beforeAll(async () => {
    db = await freshCardInsertDatabase();
    dataSource = await db.open();
    h = cardInsertHarness(dataSource, { issuer: new FakeIssuer() });
  });
  afterAll(async () => {
    await h.close();
    await dataSource.destroy();
    await db.drop();
  });

  async function sale(amountMinor: string): Promise<string> {
    const authorized = await h.service.authorize(
      anAuthorizeRequest({ header: header(), amount: { amountMinor, currency: 'EUR' } }),
    );
    const completed = await h.service.complete(
      aCompleteRequest(authorized.paymentId, TC, header()),
    );
    expect(completed.status).toBe(S.PAYMENT_STATUS_CAPTURED);
    return authorized.paymentId;
  }

  it('serves 20 concurrent copies of an Authorize with one issuer request', async () => {
    const request = anAuthorizeRequest({ header: header() });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => h.service.authorize(request)),
    );
    expect(h.issuer.authorizations).toHaveLength(1);
    for (const a of answers) expect(a).toEqual(answers[0]);
  });

  it('keeps the work tables in step with the events: in flight while the issuer is asked, then settled', async () => {
    const inFlight = (paymentId: string) =>
      dataSource.query(`SELECT "terminal_id" FROM "ci_in_flight" WHERE "payment_id" = $1`, [
        paymentId,
      ]);
    const terminalPayment = (paymentId: string) =>
      dataSource.query(
        `SELECT "terminal_id", "last_version", "uncounted" FROM "ci_terminal_payments" WHERE "payment_id" = $1`,
        [paymentId],
      );
    const request = anAuthorizeRequest({ header: header() });
    const paymentId = requestUuid('payment', request.header!);
    let whileAsking: unknown[] = [];
    h.issuer.script = async (authorization) => {
      whileAsking = [...(await inFlight(paymentId)), ...(await terminalPayment(paymentId))];
      return approve()(authorization);
    };
    try {
      await h.service.authorize(request);
    } finally {
      h.issuer.script = approve();
    }
    expect(whileAsking).toEqual([
      { terminal_id: 'TERM0001' },
      { terminal_id: 'TERM0001', last_version: 1, uncounted: 1 },
    ]);
    expect(await inFlight(paymentId)).toEqual([]);
    expect(await terminalPayment(paymentId)).toEqual([
      { terminal_id: 'TERM0001', last_version: 2, uncounted: 1 },
    ]);
  });

  it('refunds, voids and closes the batch with totals that match the events', async () => {
    const a = await sale('1000');
    const b = await sale('2000');
    const refund = aRefundRequest(a, '300', header());
    const first = await h.service.refund(refund);
    expect(await h.service.refund(refund)).toEqual(first);
    await h.service.void(aVoidRequest(b, header()));
    expect(await h.worker.runOnce()).toBe(1);

    const closed = await h.service.closeBatch(aCloseBatchRequest(header()));
    expect(closed.totals).toEqual([
      {
        currency: 'EUR',
        // b's sale was voided: out of the sales, into the voids.
        saleCount: 1,
        saleAmountMinor: '1000',
        refundCount: 1,
        refundAmountMinor: '300',
        voidCount: 1,
        voidAmountMinor: '2000',
        netAmountMinor: '700',
      },
    ]);
    const again = await h.service.closeBatch(aCloseBatchRequest(header()));
    expect(again).toMatchObject({ batchNumber: closed.batchNumber + 1, totals: [] });
  });

  it("writes every payment's rows when appends to many payments share one statement", async () => {
    const ids = Array.from({ length: 12 }, () => randomUUID());
    const batches = jest.spyOn(h.store.storage, 'appendBatch');
    const streams = h.service.paymentStreams;
    const before = paymentDecider.initialState();
    await Promise.all(
      ids.map((paymentId, i) => {
        // Another terminal's payments, so that this test's batch and reversal queue stay its own.
        const event = initiated({
          paymentId,
          terminalId: 'TERM0002',
          stan: 9000 + i,
          clientRequestId: `many-${i}`,
        });
        return streams.record(paymentId, 0, before, [event], paymentDecider.evolve(before, event));
      }),
    );
    // Half approved, half unanswered (a reversal queued), answered all at once.
    await Promise.all(
      ids.map((paymentId, i) =>
        streams.execute(paymentId, {
          type: 'RecordIssuerAnswer',
          answer:
            i % 2 === 0
              ? {
                  outcome: 'approved',
                  responseCode: '00',
                  authCode: 'A1B2C3',
                  rrn: '00000000ABCD',
                  issuerData: new Uint8Array(),
                }
              : { outcome: 'no_answer' },
        }),
      ),
    );
    const batchSizes = batches.mock.calls.map(([requests]) => requests.length);
    batches.mockRestore();
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);

    const rows = async (table: string, columns: string) =>
      dataSource.query(
        `SELECT "payment_id", ${columns} FROM "${table}" WHERE "payment_id" = ANY($1::text[]) ORDER BY "payment_id"`,
        [ids],
      );
    expect(await rows('ci_in_flight', '"terminal_id"')).toEqual([]);
    const versions = await Promise.all(ids.map(async (id) => (await streams.load(id)).version));
    expect(await rows('ci_terminal_payments', '"last_version", "uncounted"')).toEqual(
      ids
        .map((id, i) => ({ payment_id: id, last_version: versions[i], uncounted: 1 }))
        .sort((a, b) => a.payment_id.localeCompare(b.payment_id)),
    );
    expect(
      (await rows('ci_reversal_queue', '"attempts"')).map(
        (r: { payment_id: string }) => r.payment_id,
      ),
    ).toEqual(ids.filter((_, i) => i % 2 === 1).sort());
  });
});
