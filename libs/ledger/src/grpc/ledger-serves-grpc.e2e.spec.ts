import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceError, status } from '@grpc/grpc-js';
import { createGrpcClient, ledgerV1 } from '@tillgate/contracts';
import { createLogger } from '@tillgate/platform';
import { loadLedgerConfig } from '../ledger.config';
import { RunningLedger, startLedger } from '../start-ledger';

const { CreateAccountResult: A, CreateTransferResult: T, AccountType } = ledgerV1;

describe('the ledger service over real gRPC, on the event store (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tillgate-ledger-'));
  const config = loadLedgerConfig({
    TILLGATE_GRPC_PORT: '0',
    LEDGER_JOURNAL: 'event-store',
    DATABASE_URL: `sqlite:${join(dir, 'ledger.sqlite')}`,
    LEDGER_EXPIRY_SWEEP_MS: '0',
    LOG_LEVEL: 'silent',
  });
  let ledger: RunningLedger;
  let client: ReturnType<typeof createGrpcClient<typeof ledgerV1.LedgerServiceService>>;
  let now = 1_764_000_000_000;

  const account = (
    id: string,
    type: ledgerV1.AccountType,
    overrides: Partial<ledgerV1.Account> = {},
  ): ledgerV1.Account => ({
    id,
    type,
    currency: 'EUR',
    debitsMustNotExceedCredits: false,
    creditsMustNotExceedDebits: false,
    reference: '',
    ...overrides,
  });
  const transfer = (
    id: string,
    debitAccountId: string,
    creditAccountId: string,
    amount: string,
    overrides: Partial<ledgerV1.Transfer> = {},
  ): ledgerV1.Transfer => ({
    id,
    debitAccountId,
    creditAccountId,
    amount,
    currency: 'EUR',
    code: 'test',
    linked: false,
    pending: false,
    timeoutSeconds: 0,
    ...overrides,
  });

  beforeAll(async () => {
    ledger = await startLedger(config, {
      logger: createLogger({ level: 'silent' }),
      clock: () => now,
    });
    client = createGrpcClient(ledgerV1.LedgerServiceService, ledger.grpcAddress);
    await client.createAccounts({
      accounts: [
        account('float', AccountType.ACCOUNT_TYPE_PARTNER_FLOAT, {
          creditsMustNotExceedDebits: true,
        }),
        account('payable', AccountType.ACCOUNT_TYPE_MERCHANT_PAYABLE),
        account('bank', AccountType.ACCOUNT_TYPE_SUSPENSE),
      ],
    });
  });

  afterAll(async () => {
    client.close();
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers one typed result per account, idempotently', async () => {
    const { results } = await client.createAccounts({
      accounts: [
        account('bank', AccountType.ACCOUNT_TYPE_SUSPENSE),
        account('bank', AccountType.ACCOUNT_TYPE_FEE_REVENUE),
        account('usd', AccountType.ACCOUNT_TYPE_SUSPENSE, { currency: 'USD' }),
      ],
    });
    expect(results).toEqual([
      A.CREATE_ACCOUNT_RESULT_EXISTS,
      A.CREATE_ACCOUNT_RESULT_EXISTS_WITH_DIFFERENT_TYPE,
      A.CREATE_ACCOUNT_RESULT_OK,
    ]);
  });

  it('records a linked batch all-or-nothing with per-item errors, and a retry answers EXISTS', async () => {
    const failed = await client.createTransfers({
      transfers: [
        transfer('fund', 'float', 'bank', '5000', { linked: true }),
        transfer('fx', 'bank', 'usd', '1'),
      ],
    });
    expect(failed.results).toEqual([
      T.CREATE_TRANSFER_RESULT_LINKED_EVENT_FAILED,
      T.CREATE_TRANSFER_RESULT_ACCOUNTS_MUST_HAVE_THE_SAME_CURRENCY,
    ]);

    const ok = await client.createTransfers({
      transfers: [
        transfer('fund', 'float', 'bank', '5000', { linked: true }),
        transfer('sale', 'bank', 'payable', '1200'),
      ],
    });
    expect(ok.results).toEqual([T.CREATE_TRANSFER_RESULT_OK, T.CREATE_TRANSFER_RESULT_OK]);
    const retry = await client.createTransfers({
      transfers: [
        transfer('sale', 'bank', 'payable', '1200'),
        transfer('sale', 'bank', 'payable', '1300'),
      ],
    });
    expect(retry.results).toEqual([
      T.CREATE_TRANSFER_RESULT_EXISTS,
      T.CREATE_TRANSFER_RESULT_EXISTS_WITH_DIFFERENT_AMOUNT,
    ]);
  });

  it('reserves partner float, posts part of it, voids and expires others', async () => {
    const reserve = (id: string, amount: string, timeoutSeconds = 0) =>
      client.createTransfers({
        transfers: [transfer(id, 'payable', 'float', amount, { pending: true, timeoutSeconds })],
      });
    expect((await reserve('r1', '3000')).results).toEqual([T.CREATE_TRANSFER_RESULT_OK]);
    expect((await reserve('r2', '2001')).results).toEqual([
      T.CREATE_TRANSFER_RESULT_EXCEEDS_DEBITS,
    ]);
    expect(await client.postPending({ id: 'p1', pendingId: 'r1', amount: '2500' })).toEqual({
      result: T.CREATE_TRANSFER_RESULT_OK,
    });
    expect(await client.voidPending({ id: 'v1', pendingId: 'r1' })).toEqual({
      result: T.CREATE_TRANSFER_RESULT_PENDING_TRANSFER_ALREADY_POSTED,
    });

    expect((await reserve('r3', '100', 5)).results).toEqual([T.CREATE_TRANSFER_RESULT_OK]);
    now += 5_000;
    expect(await client.postPending({ id: 'p3', pendingId: 'r3' })).toEqual({
      result: T.CREATE_TRANSFER_RESULT_PENDING_TRANSFER_EXPIRED,
    });

    const { balances } = await client.getBalances({ accountIds: ['float'] });
    expect(balances).toEqual([
      {
        accountId: 'float',
        currency: 'EUR',
        debitsPending: '0',
        debitsPosted: '5000',
        creditsPending: '0',
        creditsPosted: '2500',
      },
    ]);
  });

  it('pages through an account history', async () => {
    const first = await client.getAccountHistory({
      accountId: 'float',
      pageSize: 2,
      pageToken: '',
    });
    expect(first.lines.map((l) => [l.transferId, l.kind])).toEqual([
      ['fund', ledgerV1.HistoryLineKind.HISTORY_LINE_KIND_SINGLE],
      ['r1', ledgerV1.HistoryLineKind.HISTORY_LINE_KIND_PENDING],
    ]);
    const rest = await client.getAccountHistory({
      accountId: 'float',
      pageSize: 10,
      pageToken: first.nextPageToken,
    });
    expect(rest.lines.map((l) => [l.transferId, l.kind])).toEqual([
      ['p1', ledgerV1.HistoryLineKind.HISTORY_LINE_KIND_POST_PENDING],
      ['r3', ledgerV1.HistoryLineKind.HISTORY_LINE_KIND_PENDING],
      ['r3', ledgerV1.HistoryLineKind.HISTORY_LINE_KIND_EXPIRY],
    ]);
    expect(rest.nextPageToken).toBe('');
    expect(rest.lines[rest.lines.length - 1].balanceAfter).toMatchObject({
      creditsPosted: '2500',
      creditsPending: '0',
    });
  });

  it('refuses malformed requests naming the field, and unknown accounts as NOT_FOUND', async () => {
    const bad: ServiceError = await client
      .createTransfers({
        transfers: [
          transfer('x', 'bank', 'payable', '1'),
          transfer('y', 'bank', 'payable', '1', { timeoutSeconds: 30 }),
        ],
      })
      .catch((e) => e);
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(bad.metadata.get('tillgate-field')).toEqual(['transfers[1].timeout_seconds']);
    const untyped: ServiceError = await client
      .createAccounts({ accounts: [account('z', AccountType.ACCOUNT_TYPE_UNSPECIFIED)] })
      .catch((e) => e);
    expect(untyped.metadata.get('tillgate-field')).toEqual(['accounts[0].type']);
    const empty: ServiceError = await client.createTransfers({ transfers: [] }).catch((e) => e);
    expect([empty.code, empty.details]).toEqual([
      status.INVALID_ARGUMENT,
      'transfers: must not be empty',
    ]);
    const missing: ServiceError = await client
      .getBalances({ accountIds: ['bank', 'nope'] })
      .catch((e) => e);
    expect(missing.code).toBe(status.NOT_FOUND);
    expect(missing.metadata.get('tillgate-field')).toEqual(['account_ids[1]']);
  });

  it('rebuilds the same balances and history from the event store after a restart', async () => {
    const before = await client.getBalances({ accountIds: ['float', 'payable', 'bank'] });
    const history = await client.getAccountHistory({
      accountId: 'float',
      pageSize: 100,
      pageToken: '',
    });
    client.close();
    await ledger.close();
    ledger = await startLedger(config, {
      logger: createLogger({ level: 'silent' }),
      clock: () => now,
    });
    client = createGrpcClient(ledgerV1.LedgerServiceService, ledger.grpcAddress);
    expect(await client.getBalances({ accountIds: ['float', 'payable', 'bank'] })).toEqual(before);
    expect(
      await client.getAccountHistory({ accountId: 'float', pageSize: 100, pageToken: '' }),
    ).toEqual(history);
    expect(
      (await client.createTransfers({ transfers: [transfer('sale', 'bank', 'payable', '1200')] }))
        .results,
    ).toEqual([T.CREATE_TRANSFER_RESULT_EXISTS]);
  });
});
