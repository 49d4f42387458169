import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceError, status } from '@grpc/grpc-js';
import { cardInsertV1, createGrpcClient } from '@tillgate/contracts';
import { createLogger } from '@tillgate/platform';
import type { DataSource } from 'typeorm';
import { loadCardInsertConfig } from '../card-insert.config';
import { startCardInsert, type RunningCardInsert } from '../start-card-insert';
import {
  FakeCardDataOpener,
  FakeIssuer,
  FakeTerminalAuthenticator,
  FakeTerminalDirectory,
  aTerminal,
  decline,
  verifyResponseMac,
} from '../testing/card-insert.fakes';
import { openCardInsertDataSource } from '../testing/card-insert.database';
import { aCompleteRequest, aHeader, anAuthorizeRequest } from '../testing/card-insert.requests';

/** The module over real gRPC (SQLite file, port fakes): statuses, trailers, no stack traces. */
describe('the card-insert service over real gRPC', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tillgate-card-insert-'));
  const config = loadCardInsertConfig({
    TILLGATE_GRPC_PORT: '0',
    DATABASE_URL: `sqlite:${join(dir, 'card-insert.sqlite')}`,
    CARD_INSERT_ISSUER_DEADLINE_MS: '500',
    CARD_INSERT_TERMINAL_DEADLINE_MS: '2000',
    CARD_INSERT_REVERSAL_POLL_MS: '0',
    LOG_LEVEL: 'silent',
  });
  const issuer = new FakeIssuer();
  let dataSource: DataSource;
  let running: RunningCardInsert;
  let client: ReturnType<typeof createGrpcClient<typeof cardInsertV1.CardInsertServiceService>>;

  beforeAll(async () => {
    dataSource = await openCardInsertDataSource(config.DATABASE_URL);
    running = await startCardInsert(config, {
      logger: createLogger({ level: 'silent' }),
      dataSource,
      ports: {
        terminals: new FakeTerminalDirectory(aTerminal()),
        authenticator: new FakeTerminalAuthenticator(),
        cards: new FakeCardDataOpener(),
        issuer,
      },
    });
    client = createGrpcClient(cardInsertV1.CardInsertServiceService, running.grpcAddress);
  });
  afterAll(async () => {
    client.close();
    await running.close();
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  async function failure(
    call: Promise<unknown>,
  ): Promise<{ code: number; field: string; errorCode: string; details: string }> {
    try {
      await call;
    } catch (err) {
      const e = err as ServiceError;
      return {
        code: e.code,
        field: String(e.metadata.get('tillgate-field')[0] ?? ''),
        errorCode: String(e.metadata.get('tillgate-error-code')[0] ?? ''),
        details: e.details,
      };
    }
    throw new Error('the call succeeded');
  }

  it('approves, completes and reads a payment; the responses verify', async () => {
    const authorized = await client.authorize(
      anAuthorizeRequest({ header: aHeader({ stan: 1, clientRequestId: 'g-1' }) }),
    );
    expect(authorized).toMatchObject({
      status: cardInsertV1.PaymentStatus.PAYMENT_STATUS_AUTHORIZED,
      responseCode: '00',
    });
    expect(verifyResponseMac('Authorize', authorized)).toBe(true);
    const completed = await client.complete(
      aCompleteRequest(
        authorized.paymentId,
        cardInsertV1.CardDecision.CARD_DECISION_TC,
        aHeader({ stan: 2, clientRequestId: 'g-2' }),
      ),
    );
    expect(completed.status).toBe(cardInsertV1.PaymentStatus.PAYMENT_STATUS_CAPTURED);
    const payment = await client.getPayment({ paymentId: authorized.paymentId });
    expect(payment).toMatchObject({
      captured: { amountMinor: '12345', currency: 'EUR' },
      maskedPan: '476173******0119',
    });
  });

  it('answers a decline as a response, and refusals as typed statuses naming the field', async () => {
    issuer.script = decline('55');
    const declined = await client.authorize(
      anAuthorizeRequest({ header: aHeader({ stan: 3, clientRequestId: 'g-3' }) }),
    );
    expect(declined.responseCode).toBe('55');

    expect(
      await failure(
        client.authorize(
          anAuthorizeRequest({
            header: aHeader({ stan: 4, clientRequestId: 'g-4' }),
            amount: { amountMinor: '0', currency: 'EUR' },
          }),
        ),
      ),
    ).toMatchObject({
      code: status.INVALID_ARGUMENT,
      field: 'amount.amount_minor',
      errorCode: 'AMOUNT_NOT_POSITIVE',
    });
    expect(
      await failure(
        client.authorize(
          anAuthorizeRequest({
            header: aHeader({ terminalId: 'NOSUCH01', stan: 5, clientRequestId: 'g-5' }),
          }),
        ),
      ),
    ).toMatchObject({ code: status.NOT_FOUND, field: 'header.terminal_id' });
    const tampered = anAuthorizeRequest({ header: aHeader({ stan: 6, clientRequestId: 'g-6' }) });
    expect(
      await failure(
        client.authorize({ ...tampered, amount: { amountMinor: '1', currency: 'EUR' } }),
      ),
    ).toMatchObject({ code: status.UNAUTHENTICATED, field: 'authentication.mac' });
    const refund = await failure(
      client.complete(
        aCompleteRequest(
          declined.paymentId,
          cardInsertV1.CardDecision.CARD_DECISION_TC,
          aHeader({ stan: 7, clientRequestId: 'g-7' }),
        ),
      ),
    );
    expect(refund).toMatchObject({
      code: status.FAILED_PRECONDITION,
      field: 'card_decision',
      errorCode: 'TC_AFTER_DECLINE',
    });
    expect(refund.details).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
