import { cardInsertV1 } from '@tillgate/contracts';
import type { DataSource } from 'typeorm';
import { CardInsertRequestRefused, type IssuerAnswer } from '../acquiring/acquiring.ports';
import { PaymentRefused } from '../domain/payment-refused';
import { securityEventCodec, securityStreamId } from '../domain/card-insert-event.codec';
import {
  signRequest,
  TEST_PAN,
  approve,
  decline,
  noAnswer,
  verifyResponseMac,
} from '../testing/card-insert.fakes';
import { openCardInsertDataSource } from '../testing/card-insert.database';
import { cardInsertHarness, type Harness } from '../testing/card-insert.harness';
import {
  aCaptureRequest,
  aCloseBatchRequest,
  aCompleteRequest,
  aHeader,
  anAuthorizeRequest,
  aRefundRequest,
  aReverseRequest,
  aVoidRequest,
  nextKsn,
} from '../testing/card-insert.requests';

const S = cardInsertV1.PaymentStatus;
const TC = cardInsertV1.CardDecision.CARD_DECISION_TC;
const AAC = cardInsertV1.CardDecision.CARD_DECISION_AAC;
const PRE = cardInsertV1.AuthorizationKind.AUTHORIZATION_KIND_PRE_AUTHORIZATION;

let stan = 0;
/** A new request identity per call, so tests do not collide on one database. */
const fresh = () => {
  stan += 1;
  return aHeader({ stan, clientRequestId: `req-${stan}` });
};

async function refusal(
  promise: Promise<unknown>,
): Promise<{ code: string; field: string; status?: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof CardInsertRequestRefused)
      return { code: err.code, field: err.field, status: err.grpcStatus };
    if (err instanceof PaymentRefused) return { code: err.code, field: err.field };
    throw err;
  }
  throw new Error('not refused');
}

const later = <T>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

describe('CardInsertService on SQLite in memory with port fakes', () => {
  let dataSource: DataSource;
  let h: Harness;

  beforeEach(async () => {
    dataSource = await openCardInsertDataSource('sqlite::memory:');
    h = cardInsertHarness(dataSource);
  });
  afterEach(async () => {
    await h.close();
    await dataSource.destroy();
  });

  async function approvedSale(header = fresh(), amountMinor = '12345') {
    const response = await h.service.authorize(
      anAuthorizeRequest({ header, amount: { amountMinor, currency: 'EUR' } }),
    );
    expect(response.status).toBe(S.PAYMENT_STATUS_AUTHORIZED);
    return response;
  }

  async function capturedSale(amountMinor = '12345') {
    const authorized = await approvedSale(fresh(), amountMinor);
    const completed = await h.service.complete(aCompleteRequest(authorized.paymentId, TC, fresh()));
    expect(completed.status).toBe(S.PAYMENT_STATUS_CAPTURED);
    return authorized.paymentId;
  }

  async function eventCount(): Promise<number> {
    return (await h.store.readAll({ limit: 100_000 })).length;
  }

  it('approves a sale, answers with the ARPC, a signed response and a receipt with the masked PAN only', async () => {
    const response = await approvedSale(fresh());
    expect(response).toMatchObject({
      responseCode: '00',
      authCode: 'A1B2C3',
      maskedPan: '476173******0119',
    });
    expect(Buffer.from(response.issuerData).toString('hex')).toBe('910a0102030405060708303071');
    expect(response.rrn).toMatch(/^[0-9A-Z]{12}$/);
    expect(verifyResponseMac('Authorize', response)).toBe(true);
    const lines = response.receipt?.text.split('\n') ?? [];
    expect(lines.every((l) => l.length <= 32)).toBe(true);
    expect(response.receipt?.text).toContain('476173******0119');
    expect(response.receipt?.text).toContain('EUR 123.45');
    expect(response.receipt?.text).not.toContain(TEST_PAN);
    expect(await h.paymentEvents(response.paymentId)).toEqual([
      'PaymentInitiated',
      'PaymentAuthorized',
    ]);
    expect(h.issuer.authorizations[0]).toMatchObject({
      kind: 'sale',
      amountMinor: 12345n,
      rrn: response.rrn,
    });

    const completed = await h.service.complete(aCompleteRequest(response.paymentId, TC, fresh()));
    expect(completed.status).toBe(S.PAYMENT_STATUS_CAPTURED);
    expect(verifyResponseMac('Complete', completed)).toBe(true);
    expect(await h.paymentEvents(response.paymentId)).toEqual([
      'PaymentInitiated',
      'PaymentAuthorized',
      'PaymentCompleted',
      'PaymentCaptured',
    ]);
    const stored = await h.store.readAll({ limit: 100_000 });
    expect(stored.some((e) => Buffer.from(e.payload).toString('latin1').includes(TEST_PAN))).toBe(
      false,
    );
  });

  it.each([
    ['55', 'incorrect PIN'],
    ['51', 'insufficient funds'],
    ['54', 'expired card'],
  ])('declines with the issuer code %s (%s)', async (code) => {
    h.issuer.script = decline(code);
    const response = await h.service.authorize(anAuthorizeRequest({ header: fresh() }));
    expect(response).toMatchObject({
      status: S.PAYMENT_STATUS_DECLINED,
      responseCode: code,
      authCode: '',
    });
    expect(await h.paymentEvents(response.paymentId)).toEqual([
      'PaymentInitiated',
      'PaymentDeclined',
    ]);
    // The card agrees (AAC) and nothing is reversed.
    const completed = await h.service.complete(aCompleteRequest(response.paymentId, AAC, fresh()));
    expect(completed.status).toBe(S.PAYMENT_STATUS_DECLINED);
    expect(await h.worker.runOnce()).toBe(0);
  });

  it('answers 91 within the deadline when the issuer is silent, queues a reversal and delivers it: 0400, then 0401 repeats', async () => {
    h.issuer.script = () => new Promise(() => undefined); // never answers
    const started = Date.now();
    const response = await h.service.authorize(anAuthorizeRequest({ header: fresh() }));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(response).toMatchObject({ status: S.PAYMENT_STATUS_DECLINED, responseCode: '91' });
    expect(await h.paymentEvents(response.paymentId)).toEqual([
      'PaymentInitiated',
      'ReversalPending',
    ]);

    h.issuer.reversalsAcknowledged = false;
    expect(await h.worker.runOnce()).toBe(0);
    await new Promise((r) => setTimeout(r, 15));
    expect(await h.worker.runOnce()).toBe(0);
    h.issuer.reversalsAcknowledged = true;
    await new Promise((r) => setTimeout(r, 50));
    expect(await h.worker.runOnce()).toBe(1);
    expect(h.issuer.reversals.map((r) => r.repeat)).toEqual([false, true, true]);
    expect(h.issuer.reversals[0].reversal).toMatchObject({
      originalMti: '0200',
      reasonCode: '68',
      amountMinor: 12345n,
      rrn: response.rrn,
    });
    expect(await h.paymentEvents(response.paymentId)).toEqual([
      'PaymentInitiated',
      'ReversalPending',
      'PaymentReversed',
    ]);
    expect((await h.service.getPayment({ paymentId: response.paymentId })).status).toBe(
      S.PAYMENT_STATUS_REVERSED,
    );
    expect(await h.worker.runOnce()).toBe(0);
    expect(h.issuer.reversals).toHaveLength(3);
  });

  it('treats an issuer that fails the link (no_answer) like a timeout', async () => {
    h.issuer.script = noAnswer;
    const response = await h.service.authorize(anAuthorizeRequest({ header: fresh() }));
    expect(response.responseCode).toBe('91');
  });

  it('keeps a payment reversed when the approval arrives after the in-flight payment was expired', async () => {
    const slow = later<IssuerAnswer>();
    h.issuer.script = () => slow.promise;
    const late = cardInsertHarness(dataSource, {
      issuer: h.issuer,
      service: { issuerDeadlineMs: 5000 },
      worker: { issuerDeadlineMs: 0, inFlightGraceMs: 0 },
    });
    const header = fresh();
    const answering = late.service.authorize(anAuthorizeRequest({ header }));
    await new Promise((r) => setTimeout(r, 50));
    // Recovery finds the in-flight row past the deadline: the process is presumed dead.
    expect(await late.worker.recoverInFlight()).toBe(1);
    slow.resolve((await approve()(h.issuer.authorizations[0])) as IssuerAnswer);
    const response = await answering;
    expect(response).toMatchObject({ status: S.PAYMENT_STATUS_DECLINED, responseCode: '91' });
    expect(await h.paymentEvents(response.paymentId)).toEqual([
      'PaymentInitiated',
      'ReversalPending',
    ]);
    expect(
      await refusal(h.service.complete(aCompleteRequest(response.paymentId, TC, fresh()))),
    ).toEqual({
      code: 'PAYMENT_BEING_REVERSED',
      field: 'payment_id',
    });
    expect(await h.worker.runOnce()).toBe(1);
    expect((await h.service.getPayment({ paymentId: response.paymentId })).status).toBe(
      S.PAYMENT_STATUS_REVERSED,
    );
  });

  it('reverses an approved payment the card declines (AAC in Complete)', async () => {
    const authorized = await approvedSale();
    const completed = await h.service.complete(
      aCompleteRequest(authorized.paymentId, AAC, fresh()),
    );
    expect(completed.status).toBe(S.PAYMENT_STATUS_REVERSAL_PENDING);
    expect(await h.worker.runOnce()).toBe(1);
    expect(h.issuer.reversals[0].reversal.reasonCode).toBe('06');
    expect(await h.paymentEvents(authorized.paymentId)).toEqual([
      'PaymentInitiated',
      'PaymentAuthorized',
      'PaymentCompleted',
      'ReversalPending',
      'PaymentReversed',
    ]);
  });

  it('answers a retransmission with the original outcome and never asks the issuer twice', async () => {
    const header = fresh();
    const request = anAuthorizeRequest({ header });
    const first = await h.service.authorize(request);
    const again = await h.service.authorize(request);
    expect(again).toEqual(first);
    expect(h.issuer.authorizations).toHaveLength(1);
  });

  it('gives 20 concurrent copies one issuer request and the same answer', async () => {
    const gate = later<void>();
    h.issuer.script = async (r) => {
      await gate.promise;
      return approve()(r);
    };
    const request = anAuthorizeRequest({ header: fresh() });
    const copies = Array.from({ length: 20 }, () => h.service.authorize(request));
    setTimeout(() => gate.resolve(), 20);
    const answers = await Promise.all(copies);
    expect(h.issuer.authorizations).toHaveLength(1);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0].status).toBe(S.PAYMENT_STATUS_AUTHORIZED);
  });

  it('gives copies racing in two service instances (two processes) one issuer request', async () => {
    const other = cardInsertHarness(dataSource, { issuer: h.issuer });
    // Both processes share the terminal's KSN register, as the key store does.
    (other.service as unknown as { ports: { authenticator: unknown } }).ports.authenticator =
      h.authenticator;
    const gate = later<void>();
    h.issuer.script = async (r) => {
      await gate.promise;
      return approve()(r);
    };
    const request = anAuthorizeRequest({ header: fresh() });
    const copies = [
      h.service.authorize(request),
      other.service.authorize(request),
      h.service.authorize(request),
    ];
    setTimeout(() => gate.resolve(), 20);
    const answers = await Promise.all(copies);
    expect(h.issuer.authorizations).toHaveLength(1);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('refuses the same request identity with another body, changing nothing', async () => {
    const header = fresh();
    const first = await approvedSale(header);
    const before = await eventCount();
    const other = anAuthorizeRequest({ header, amount: { amountMinor: '99', currency: 'EUR' } });
    expect(await refusal(h.service.authorize(other))).toEqual({
      code: 'REQUEST_ID_REUSED',
      field: 'header.client_request_id',
      status: 'ALREADY_EXISTS',
    });
    expect(await eventCount()).toBe(before);
    expect(h.issuer.authorizations).toHaveLength(1);
    expect(
      (await h.service.getPayment({ paymentId: first.paymentId })).authorized?.amountMinor,
    ).toBe('12345');
  });

  describe('refuses bad input, naming the field and changing nothing', () => {
    const sign = (r: cardInsertV1.AuthorizeRequest) => signRequest('Authorize', r);
    const cases: [string, () => cardInsertV1.AuthorizeRequest, string, string][] = [
      [
        'no header',
        () => sign({ ...anAuthorizeRequest(), header: undefined }),
        'header',
        'INVALID_ARGUMENT',
      ],
      [
        'a bad terminal id',
        () => sign(anAuthorizeRequest({ header: aHeader({ terminalId: 'T 1' }) })),
        'header.terminal_id',
        'INVALID_ARGUMENT',
      ],
      [
        'STAN 0',
        () => sign(anAuthorizeRequest({ header: aHeader({ stan: 0 }) })),
        'header.stan',
        'INVALID_ARGUMENT',
      ],
      [
        'a bad local time',
        () => sign(anAuthorizeRequest({ header: aHeader({ localTime: '2026-13-01T00:00:00' }) })),
        'header.local_time',
        'INVALID_ARGUMENT',
      ],
      [
        'an empty client request id',
        () => sign(anAuthorizeRequest({ header: aHeader({ clientRequestId: '' }) })),
        'header.client_request_id',
        'INVALID_ARGUMENT',
      ],
      ['no kind', () => anAuthorizeRequest({ kind: 0 }), 'kind', 'INVALID_ARGUMENT'],
      [
        'amount 0',
        () => anAuthorizeRequest({ amount: { amountMinor: '0', currency: 'EUR' } }),
        'amount.amount_minor',
        'INVALID_ARGUMENT',
      ],
      [
        'a negative amount',
        () => anAuthorizeRequest({ amount: { amountMinor: '-5', currency: 'EUR' } }),
        'amount.amount_minor',
        'INVALID_ARGUMENT',
      ],
      [
        'another currency',
        () => anAuthorizeRequest({ amount: { amountMinor: '100', currency: 'SEK' } }),
        'amount.currency',
        'INVALID_ARGUMENT',
      ],
      ['no card', () => anAuthorizeRequest({ card: undefined }), 'card', 'INVALID_ARGUMENT'],
      [
        'malformed TLV',
        () =>
          anAuthorizeRequest({
            card: {
              iccData: Buffer.from('00ff', 'hex'),
              encryptedTrack2: Buffer.from('enc-track2'),
              encryptedPinBlock: new Uint8Array(),
            },
          }),
        'card.icc_data',
        'INVALID_ARGUMENT',
      ],
      [
        'no authentication',
        () => ({ ...anAuthorizeRequest(), authentication: undefined }),
        'authentication',
        'UNAUTHENTICATED',
      ],
      [
        'a wrong MAC',
        () => {
          const r = anAuthorizeRequest();
          return {
            ...r,
            authentication: {
              ...(r.authentication as cardInsertV1.MessageAuthentication),
              mac: Buffer.alloc(8),
            },
          };
        },
        'authentication.mac',
        'UNAUTHENTICATED',
      ],
      [
        'an unknown terminal',
        () => anAuthorizeRequest({ header: aHeader({ terminalId: 'NOSUCH01' }) }),
        'header.terminal_id',
        'NOT_FOUND',
      ],
    ];
    it.each(cases)('%s', async (_name, build, field, status) => {
      const before = await eventCount();
      const refused = await refusal(h.service.authorize(build()));
      expect(refused).toMatchObject({ field, status });
      const security =
        ['authentication.mac', 'header.terminal_id'].includes(field) &&
        status !== 'INVALID_ARGUMENT';
      expect(await eventCount()).toBe(before + (security ? 1 : 0));
      expect(h.issuer.authorizations).toHaveLength(0);
    });
  });

  it('records security events for a wrong MAC, a replayed KSN, an unknown terminal and undecryptable card data', async () => {
    const good = await approvedSale();
    void good;
    const wrongMac = anAuthorizeRequest({ header: fresh() });
    await refusal(
      h.service.authorize({
        ...wrongMac,
        authentication: {
          ...(wrongMac.authentication as cardInsertV1.MessageAuthentication),
          mac: Buffer.alloc(8, 1),
        },
      }),
    );
    const old = {
      scheme: cardInsertV1.DukptScheme.DUKPT_SCHEME_TDES,
      ksn: Buffer.alloc(10),
      mac: new Uint8Array(),
    };
    expect(
      await refusal(
        h.service.authorize(
          signRequest('Authorize', {
            ...anAuthorizeRequest({ header: fresh() }),
            authentication: old,
          }),
        ),
      ),
    ).toMatchObject({
      field: 'authentication.ksn',
      code: 'KSN_REPLAYED',
    });
    await refusal(
      h.service.authorize(
        anAuthorizeRequest({ header: aHeader({ terminalId: 'NOSUCH01', stan: 1 }) }),
      ),
    );
    const badTrack = anAuthorizeRequest({
      header: fresh(),
      card: {
        iccData: Buffer.from('9f26', 'hex'),
        encryptedTrack2: Buffer.from('garbage'),
        encryptedPinBlock: new Uint8Array(),
      },
    });
    expect(await refusal(h.service.authorize(badTrack))).toMatchObject({
      field: 'card.encrypted_track2',
    });
    const kinds = async (terminalId: string) =>
      (await h.store.readStream(securityStreamId(terminalId))).map((e) => {
        const { data } = securityEventCodec.decode(e);
        return [data.kind, data.field, data.operation];
      });
    expect(await kinds('TERM0001')).toEqual([
      [1, 'authentication.mac', 'Authorize'],
      [2, 'authentication.ksn', 'Authorize'],
      [4, 'card.encrypted_track2', 'Authorize'],
    ]);
    expect(await kinds('NOSUCH01')).toEqual([[3, 'header.terminal_id', 'Authorize']]);
    expect(h.issuer.authorizations).toHaveLength(1);
  });

  it("answers a copy whose KSN another process accepted first with that process's answer, not as a replay", async () => {
    // Two processes on one database, each with its own key store (its own KSN counters).
    const other = cardInsertHarness(dataSource);
    try {
      const request = anAuthorizeRequest({ header: fresh() });
      const terminal = (await h.terminals.find('TERM0001'))!;
      // In this process the KSN is already taken: as when the copy in the other process accepted it.
      await h.authenticator.acceptKsn(terminal, request.authentication!, ['mac', 'data']);
      const copy = h.service.authorize(request);
      await new Promise((resolve) => setTimeout(resolve, 20)); // its stream read found nothing
      const original = await other.service.authorize(request);
      expect(await copy).toEqual(original);
      expect(original.responseCode).toBe('00');
      expect(h.issuer.authorizations.length + other.issuer.authorizations.length).toBe(1);
      expect(await h.store.readStream(securityStreamId('TERM0001'))).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('captures a completed pre-authorization partially and refuses more than authorized', async () => {
    const pre = await h.service.authorize(anAuthorizeRequest({ header: fresh(), kind: PRE }));
    const completed = await h.service.complete(aCompleteRequest(pre.paymentId, TC, fresh()));
    expect(completed.status).toBe(S.PAYMENT_STATUS_COMPLETED);
    expect(
      await refusal(h.service.capture(aCaptureRequest(pre.paymentId, '12346', fresh()))),
    ).toEqual({
      code: 'CAPTURE_EXCEEDS_AUTHORIZED',
      field: 'amount.amount_minor',
    });
    const captured = await h.service.capture(aCaptureRequest(pre.paymentId, '10000', fresh()));
    expect(captured).toMatchObject({
      status: S.PAYMENT_STATUS_CAPTURED,
      captured: { amountMinor: '10000', currency: 'EUR' },
    });
    expect(h.issuer.authorizations[0].kind).toBe('pre_authorization');
  });

  it('voids a captured sale and reverses it at the issuer', async () => {
    const paymentId = await capturedSale();
    const voided = await h.service.void(aVoidRequest(paymentId, fresh()));
    expect(voided.status).toBe(S.PAYMENT_STATUS_VOIDED);
    expect(voided.receipt?.text).toContain('VOID');
    expect(await h.worker.runOnce()).toBe(1);
    expect(h.issuer.reversals[0].reversal).toMatchObject({ reasonCode: '17', amountMinor: 12345n });
    expect(await h.paymentEvents(paymentId)).toEqual([
      'PaymentInitiated',
      'PaymentAuthorized',
      'PaymentCompleted',
      'PaymentCaptured',
      'PaymentVoided',
      'ReversalPending',
      'PaymentReversed',
    ]);
    expect((await h.service.getPayment({ paymentId })).status).toBe(S.PAYMENT_STATUS_VOIDED);
  });

  it('refunds partially, refuses an over-refund, and answers a retransmitted refund from the record', async () => {
    const paymentId = await capturedSale('10000');
    const refundRequest = aRefundRequest(paymentId, '4000', fresh());
    const refunded = await h.service.refund(refundRequest);
    expect(refunded).toMatchObject({
      status: S.PAYMENT_STATUS_PARTIALLY_REFUNDED,
      refunded: { amountMinor: '4000' },
      refundable: { amountMinor: '6000' },
    });
    expect(await h.service.refund(refundRequest)).toEqual(refunded);
    const before = await eventCount();
    expect(await refusal(h.service.refund(aRefundRequest(paymentId, '6001', fresh())))).toEqual({
      code: 'REFUND_EXCEEDS_CAPTURED',
      field: 'amount.amount_minor',
    });
    expect(await eventCount()).toBe(before);
    const rest = await h.service.refund(aRefundRequest(paymentId, '6000', fresh()));
    expect(rest).toMatchObject({
      status: S.PAYMENT_STATUS_REFUNDED,
      refundable: { amountMinor: '0' },
    });
    const sameIdentityOtherBody = aRefundRequest(paymentId, '1', refundRequest.header);
    expect(await refusal(h.service.refund(sameIdentityOtherBody))).toMatchObject({
      field: 'header.client_request_id',
      status: 'ALREADY_EXISTS',
    });
  });

  it("reverses on the terminal's request and refuses another terminal's payment", async () => {
    const authorized = await approvedSale();
    expect(
      await refusal(
        h.service.reverse(
          aReverseRequest(authorized.paymentId, { ...fresh(), terminalId: 'TERM0002' }),
        ),
      ),
    ).toEqual({
      code: 'PAYMENT_NOT_FOUND',
      field: 'payment_id',
      status: 'NOT_FOUND',
    });
    const reversed = await h.service.reverse(aReverseRequest(authorized.paymentId, fresh()));
    expect(reversed.status).toBe(S.PAYMENT_STATUS_REVERSAL_PENDING);
    await h.worker.runOnce();
    expect((await h.service.getPayment({ paymentId: authorized.paymentId })).status).toBe(
      S.PAYMENT_STATUS_REVERSED,
    );
  });

  it('closes batches with totals per currency that match the events, and counts later events in the next batch', async () => {
    const a = await capturedSale('1000');
    const b = await capturedSale('2500');
    const c = await capturedSale('700');
    await h.service.refund(aRefundRequest(b, '500', fresh()));
    await h.service.void(aVoidRequest(c, fresh()));
    h.issuer.script = decline('51');
    await h.service.authorize(anAuthorizeRequest({ header: fresh() }));

    const first = await h.service.closeBatch(aCloseBatchRequest(fresh()));
    expect(first.batchNumber).toBe(1);
    expect(first.totals).toEqual([
      {
        currency: 'EUR',
        saleCount: 2,
        saleAmountMinor: '3500',
        refundCount: 1,
        refundAmountMinor: '500',
        voidCount: 1,
        voidAmountMinor: '700',
        netAmountMinor: '3000',
      },
    ]);
    expect(verifyResponseMac('CloseBatch', first)).toBe(true);
    expect(first.receipt?.text).toContain('BATCH 1 CLOSED');

    expect(await refusal(h.service.void(aVoidRequest(a, fresh())))).toEqual({
      code: 'BATCH_ALREADY_CLOSED',
      field: 'payment_id',
    });
    await h.service.refund(aRefundRequest(a, '100', fresh()));
    const second = await h.service.closeBatch(aCloseBatchRequest(fresh()));
    expect(second.batchNumber).toBe(2);
    expect(second.totals).toEqual([
      expect.objectContaining({
        saleCount: 0,
        saleAmountMinor: '0',
        refundCount: 1,
        refundAmountMinor: '100',
        netAmountMinor: '-100',
      }),
    ]);
  });

  it('reads a payment, and refuses an unknown or malformed id', async () => {
    const authorized = await approvedSale();
    expect(await h.service.getPayment({ paymentId: authorized.paymentId })).toMatchObject({
      terminalId: 'TERM0001',
      status: S.PAYMENT_STATUS_AUTHORIZED,
      authorized: { amountMinor: '12345', currency: 'EUR' },
      maskedPan: '476173******0119',
      responseCode: '00',
    });
    expect(await refusal(h.service.getPayment({ paymentId: 'nope' }))).toMatchObject({
      field: 'payment_id',
      status: 'INVALID_ARGUMENT',
    });
    expect(
      await refusal(h.service.getPayment({ paymentId: '00000000-0000-8000-8000-000000000000' })),
    ).toMatchObject({
      field: 'payment_id',
      status: 'NOT_FOUND',
    });
    void nextKsn;
  });
});
