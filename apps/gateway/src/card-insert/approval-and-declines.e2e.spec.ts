import { responseMacInput } from '@tillgate/card-insert';
import { cardInsertV1 } from '@tillgate/contracts';
import { parseKsn } from '@tillgate/crypto';
import { dukptTransaction, injectInitialKey, testTerminalKey } from '@tillgate/terminal-sim';
import { CURRENCY, terminalId } from './testing/acquirer-estate';
import { journalOf, startE2eRun, type E2eRun } from './testing/e2e-run';

// A sale and the three issuer declines, through the real gateway process
// (production mode), the real issuer simulator process, Postgres and Kafka.
// The terminal simulator verifies every response MAC itself: a response
// whose MAC does not verify makes `pay` throw ResponseAuthenticationError.

const { PaymentStatus } = cardInsertV1;
let run: E2eRun;

beforeAll(async () => {
  run = await startE2eRun('approval');
}, 90_000);
afterAll(async () => run?.close(), 30_000);

describe('card-insert sale through the gateway (real issuer simulator, Postgres, Kafka)', () => {
  it('approves a sale: MACed answer, valid ARPC, TC, events on Kafka in order', async () => {
    const terminal = run.terminals.terminal(1);
    const result = await terminal.pay({
      kind: 'sale',
      card: run.estate.cards.approving,
      amountMinor: 1250n,
      currency: CURRENCY.alpha,
    });

    expect(result.outcome).toBe('approved');
    expect(result.responseCode).toBe('00');
    expect(result.authCode).toMatch(/^[0-9A-Z]{6}$/);
    expect(result.authorize?.status).toBe(PaymentStatus.PAYMENT_STATUS_AUTHORIZED);
    expect(result.status).toBe(PaymentStatus.PAYMENT_STATUS_CAPTURED);
    // The terminal already refused any answer whose MAC does not verify; checked here once more.
    expect(responseMacVerifies('Authorize', result.authorize!)).toBe(true);
    expect(responseMacVerifies('Complete', result.complete!)).toBe(true);
    expect(result.maskedPan).toMatch(/^\d{6}\*+\d{4}$/);
    // The card checked tag 91 of the issuer data (EXTERNAL AUTHENTICATE).
    expect(result.secondAc?.issuerAuthentication).toMatchObject({ present: true, valid: true });
    expect(result.secondAc?.decision).toBe('TC');

    const paymentId = result.paymentId!;
    const journal = journalOf(await run.issuer.journal(), terminalId(1), 'approval');
    expect(journal).toEqual([
      expect.objectContaining({
        amount: 1250,
        currency: CURRENCY.numeric,
        authCode: result.authCode,
      }),
    ]);

    const expected = [
      'PaymentInitiated',
      'PaymentAuthorized',
      'PaymentCompleted',
      'PaymentCaptured',
    ];
    await run.kafka.waitFor(
      `the sale's events`,
      () => run.kafka.paymentEvents(paymentId).length >= 4,
    );
    const delivered = run.kafka.storedPayment(paymentId);
    // On the wire an event's type is its proto message name (docs/events.md).
    expect(delivered.map((e) => e.type)).toEqual(expected.map(protoName));
    expect(delivered.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4]);
    const [initiated, authorized, , captured] = run.kafka.decodedPayment(paymentId);
    expect(initiated).toMatchObject({
      type: 'PaymentInitiated',
      data: { paymentId, terminalId: terminalId(1), amountMinor: '1250', currency: 'CNY' },
    });
    expect(authorized).toMatchObject({
      type: 'PaymentAuthorized',
      data: { responseCode: '00', authCode: result.authCode },
    });
    expect(captured).toMatchObject({
      type: 'PaymentCaptured',
      data: { amountMinor: '1250', currency: 'CNY' },
    });
    expect(run.kafka.paymentEvents(paymentId)).toEqual(expected);
    await expect(run.database.streamEventTypes(paymentId)).resolves.toEqual(
      expected.map(protoName),
    );
  }, 30_000);

  const declines = [
    {
      why: 'a wrong PIN',
      code: '55',
      pay: () => ({
        card: run.estate.cards.second,
        pin: wrongPin(run.estate.cards.second.profile.pin),
      }),
    },
    { why: 'insufficient funds', code: '51', pay: () => ({ card: run.estate.cards.poor }) },
    { why: 'an expired card', code: '54', pay: () => ({ card: run.estate.cards.expired }) },
  ];

  it.each(declines.map((d, i) => ({ ...d, n: i + 2 })))(
    'declines $why with $code: nothing approved at the issuer, PaymentDeclined on Kafka',
    async ({ code, pay, n }) => {
      const terminal = run.terminals.terminal(n);
      const result = await terminal.pay({
        kind: 'sale',
        amountMinor: 1000n,
        currency: CURRENCY.alpha,
        ...pay(),
      });

      expect(result.outcome).toBe('declined');
      expect(result.responseCode).toBe(code);
      expect(result.status).toBe(PaymentStatus.PAYMENT_STATUS_DECLINED);
      expect(journalOf(await run.issuer.journal(), terminalId(n), 'approval')).toEqual([]);
      const paymentId = result.paymentId!;
      await run.kafka.waitFor(
        `the decline's events`,
        () => run.kafka.paymentEvents(paymentId).length >= 2,
      );
      const events = run.kafka.decodedPayment(paymentId);
      expect(events.map((e) => e.type)).toEqual(['PaymentInitiated', 'PaymentDeclined']);
      expect(events[1]).toMatchObject({ data: { responseCode: code } });
    },
    30_000,
  );
});

/** The gateway's response MAC under the request's KSN, verified with TERM0001's injected key. */
function responseMacVerifies(
  operation: 'Authorize' | 'Complete',
  response: cardInsertV1.AuthorizeResponse | cardInsertV1.CompleteResponse,
): boolean {
  const authentication = response.authentication!;
  const dukpt = dukptTransaction(
    injectInitialKey(testTerminalKey('tdes', 1)),
    parseKsn(Buffer.from(authentication.ksn)).counter,
  );
  return dukpt.verifyResponseMac(responseMacInput(operation, response), authentication.mac);
}

const protoName = (type: string) => `tillgate.card_insert.v1.${type}`;

/** A PIN of the same length that is not the card's. */
function wrongPin(pin: string): string {
  return pin
    .split('')
    .map((d) => String((Number(d) + 1) % 10))
    .join('');
}
