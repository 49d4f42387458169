import type { Account, TransferRequest } from './ledger.types';

/** `now` is milliseconds since the epoch from the caller's clock: the decider never reads one. */
export type LedgerCommand =
  | { type: 'CreateAccounts'; accounts: readonly Account[] }
  | { type: 'CreateTransfers'; transfers: readonly TransferRequest[]; now: number }
  | { type: 'ExpirePendingTransfers'; now: number };
