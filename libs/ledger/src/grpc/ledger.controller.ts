import { Controller, Inject } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { ledgerV1 } from '@tillgate/contracts';
import { GrpcRequestError, invalidArgument } from '@tillgate/platform';
import { LedgerBooks } from '../books/ledger-books';
import {
  parseAmount,
  toAccount,
  toTransferRequest,
  toWireBalance,
  toWireHistoryLine,
  toWireAccountResult,
  toWireTransferResult,
} from './ledger-grpc.mapping';

const MAX_BATCH = 8190;
const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

function checkBatch(length: number, field: string): void {
  if (length === 0) throw invalidArgument(field, 'must not be empty');
  if (length > MAX_BATCH) throw invalidArgument(field, `at most ${MAX_BATCH} items per request`);
}

@Controller()
@ledgerV1.LedgerServiceControllerMethods()
export class LedgerController implements ledgerV1.LedgerServiceController {
  constructor(@Inject(LedgerBooks) private readonly books: LedgerBooks) {}

  async createAccounts(
    request: ledgerV1.CreateAccountsRequest,
  ): Promise<ledgerV1.CreateAccountsResponse> {
    checkBatch(request.accounts.length, 'accounts');
    const accounts = request.accounts.map((a, i) => toAccount(a, `accounts[${i}]`));
    return { results: (await this.books.createAccounts(accounts)).map(toWireAccountResult) };
  }

  async createTransfers(
    request: ledgerV1.CreateTransfersRequest,
  ): Promise<ledgerV1.CreateTransfersResponse> {
    checkBatch(request.transfers.length, 'transfers');
    const transfers = request.transfers.map((t, i) => toTransferRequest(t, `transfers[${i}]`));
    return { results: (await this.books.createTransfers(transfers)).map(toWireTransferResult) };
  }

  async postPending(request: ledgerV1.PostPendingRequest): Promise<ledgerV1.PostPendingResponse> {
    const amount = request.amount === undefined ? null : parseAmount(request.amount, 'amount');
    const [result] = await this.books.createTransfers([
      { kind: 'post_pending', id: request.id, pendingId: request.pendingId, amount },
    ]);
    return { result: toWireTransferResult(result) };
  }

  async voidPending(request: ledgerV1.VoidPendingRequest): Promise<ledgerV1.VoidPendingResponse> {
    const [result] = await this.books.createTransfers([
      { kind: 'void_pending', id: request.id, pendingId: request.pendingId },
    ]);
    return { result: toWireTransferResult(result) };
  }

  getBalances(request: ledgerV1.GetBalancesRequest): ledgerV1.GetBalancesResponse {
    checkBatch(request.accountIds.length, 'account_ids');
    const balances = this.books.balances(request.accountIds);
    return {
      balances: balances.map((b, i) => {
        if (!b) throw notFound(`account_ids[${i}]`);
        return toWireBalance(b);
      }),
    };
  }

  getAccountHistory(
    request: ledgerV1.GetAccountHistoryRequest,
  ): ledgerV1.GetAccountHistoryResponse {
    const [balance] = this.books.balances([request.accountId]);
    if (!balance) throw notFound('account_id');
    if (request.pageSize > MAX_PAGE) throw invalidArgument('page_size', `at most ${MAX_PAGE}`);
    if (request.pageToken !== '' && !/^\d{1,15}$/.test(request.pageToken)) {
      throw invalidArgument('page_token', 'must be a next_page_token from a previous page');
    }
    const after = request.pageToken === '' ? 0 : Number(request.pageToken);
    const limit = request.pageSize || DEFAULT_PAGE;
    const lines = this.books.history(request.accountId, after, limit + 1);
    const page = lines.slice(0, limit);
    return {
      lines: page.map((l) => toWireHistoryLine(request.accountId, balance.currency, l)),
      nextPageToken: lines.length > limit ? String(page[page.length - 1].sequence) : '',
    };
  }
}

function notFound(field: string): GrpcRequestError {
  return new GrpcRequestError(status.NOT_FOUND, 'ACCOUNT_NOT_FOUND', 'no such account', field);
}
