import { ledgerV1 } from '@tillgate/contracts';
import { CREATE_ACCOUNT_RESULTS, CREATE_TRANSFER_RESULTS } from '../domain/ledger.types';
import { toWireAccountResult, toWireTransferResult } from './ledger-grpc.mapping';

describe('ledger gRPC mapping', () => {
  it('has a distinct wire value for every domain result code, and no wire value without one', () => {
    const transfers = CREATE_TRANSFER_RESULTS.map(toWireTransferResult);
    expect(new Set(transfers).size).toBe(CREATE_TRANSFER_RESULTS.length);
    const wireTransfers = Object.values(ledgerV1.CreateTransferResult).filter(
      (v) => typeof v === 'number' && v > 0,
    );
    expect([...transfers].sort((a, b) => a - b)).toEqual(
      wireTransfers.sort((a, b) => Number(a) - Number(b)),
    );

    const accounts = CREATE_ACCOUNT_RESULTS.map(toWireAccountResult);
    const wireAccounts = Object.values(ledgerV1.CreateAccountResult).filter(
      (v) => typeof v === 'number' && v > 0,
    );
    expect([...accounts].sort((a, b) => a - b)).toEqual(
      wireAccounts.sort((a, b) => Number(a) - Number(b)),
    );
  });
});
