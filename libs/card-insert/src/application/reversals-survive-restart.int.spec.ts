import { cardInsertV1 } from '@tillgate/contracts';
import type { DataSource } from 'typeorm';
import { FakeIssuer } from '../testing/card-insert.fakes';
import { freshCardInsertDatabase } from '../testing/card-insert.database';
import { cardInsertHarness, type Harness } from '../testing/card-insert.harness';
import { aHeader, anAuthorizeRequest } from '../testing/card-insert.requests';
import { cardInsertTables, readTables } from '../storage/card-insert.tables';

/**
 * On the real Postgres: a reversal queued by one service instance is
 * delivered by the next one on the same database, and a payment left
 * in flight by a dead process is reversed, each exactly once.
 */
describe('card-insert reversals and in-flight payments survive a restart (Postgres)', () => {
  let db: Awaited<ReturnType<typeof freshCardInsertDatabase>>;
  const opened: { dataSource: DataSource; harness: Harness }[] = [];

  async function instance(
    issuer: FakeIssuer,
    options: Parameters<typeof cardInsertHarness>[1] = {},
  ) {
    const dataSource = await db.open();
    const harness = cardInsertHarness(dataSource, { issuer, ...options });
    opened.push({ dataSource, harness });
    return harness;
  }

  async function stop(harness: Harness) {
    const entry = opened.find((o) => o.harness === harness);
    await harness.close();
    await entry?.dataSource.destroy();
    opened.splice(opened.indexOf(entry as (typeof opened)[number]), 1);
  }

  beforeAll(async () => {
    db = await freshCardInsertDatabase();
  });
  afterAll(async () => {
    for (const o of opened) {
      await o.harness.close().catch(() => undefined);
      await o.dataSource.destroy().catch(() => undefined);
    }
    await db.drop();
  });

  it('delivers a reversal queued before the restart once the issuer answers again', async () => {
    const issuer = new FakeIssuer();
    issuer.script = () => new Promise(() => undefined); // the issuer is down
    issuer.reversalsAcknowledged = false;
    const first = await instance(issuer);
    const response = await first.service.authorize(
      anAuthorizeRequest({ header: aHeader({ stan: 101, clientRequestId: 'restart-1' }) }),
    );
    expect(response).toMatchObject({
      status: cardInsertV1.PaymentStatus.PAYMENT_STATUS_DECLINED,
      responseCode: '91',
    });
    expect(await first.worker.runOnce()).toBe(0); // 0400 unanswered
    await stop(first);

    issuer.reversalsAcknowledged = true;
    const second = await instance(issuer, { worker: { backoffBaseMs: 0 } });
    await second.worker.start(); // resumes the queue on start
    expect(await second.paymentEvents(response.paymentId)).toEqual([
      'PaymentInitiated',
      'ReversalPending',
      'PaymentReversed',
    ]);
    expect(issuer.reversals.map((r) => r.repeat)).toEqual([false, true]);
    expect(await readTables(second.store, (tx) => cardInsertTables.queuedReversals(tx))).toEqual(
      [],
    );
    expect(await second.worker.runOnce()).toBe(0);
    expect(issuer.reversals).toHaveLength(2);
    await stop(second);
  });

  it('reverses a payment whose process died between the issuer call and the append, and answers its retransmission 91', async () => {
    const issuer = new FakeIssuer();
    let sent!: () => void;
    const reached = new Promise<void>((resolve) => (sent = resolve));
    // The issuer approves, but the process dies before the answer is recorded.
    issuer.script = () => {
      sent();
      return new Promise(() => undefined);
    };
    const doomed = await instance(issuer, { service: { issuerDeadlineMs: 60_000 } });
    const request = anAuthorizeRequest({
      header: aHeader({ stan: 102, clientRequestId: 'crash-1' }),
    });
    void doomed.service.authorize(request).catch(() => undefined);
    await reached;
    const entry = opened.find((o) => o.harness === doomed);
    await entry?.dataSource.destroy(); // kill: its connections are gone, its promise never settles

    const restarted = await instance(issuer, {
      worker: { issuerDeadlineMs: 100, inFlightGraceMs: 0 },
    });
    await new Promise((r) => setTimeout(r, 150));
    await restarted.worker.start();
    const paymentId = (await restarted.store.readAll({ limit: 1000 }))
      .filter((e) => e.type === 'tillgate.card_insert.v1.PaymentInitiated')
      .map((e) => e.streamId.slice('payments-'.length))
      .find((id) => id !== undefined && issuer.reversals.some((r) => r.reversal.paymentId === id));
    expect(paymentId).toBeDefined();
    expect(await restarted.paymentEvents(paymentId as string)).toEqual([
      'PaymentInitiated',
      'ReversalPending',
      'PaymentReversed',
    ]);
    expect(
      await readTables(restarted.store, (tx) =>
        cardInsertTables.inFlightStartedBefore(tx, Date.now() + 1000, 10),
      ),
    ).toEqual([]);
    expect(issuer.authorizations).toHaveLength(1);

    const retransmitted = await restarted.service.authorize(request);
    expect(retransmitted).toMatchObject({ paymentId, responseCode: '91' });
    expect(issuer.authorizations).toHaveLength(1);
  });
});
