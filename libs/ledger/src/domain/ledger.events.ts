import type { Account, Transfer } from './ledger.types';

/** Every fact the ledger records. Failed items record nothing. */
export type LedgerEvent =
  | { type: 'AccountOpened'; data: { account: Account } }
  | { type: 'TransferRecorded'; data: { transfer: Transfer } }
  /** A reservation whose timeout passed: its pending amounts are released. */
  | { type: 'PendingTransferExpired'; data: { pendingId: string; expiredAt: number } };

export type LedgerEventType = LedgerEvent['type'];
