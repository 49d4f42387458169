import { ledgerV1 } from '@tillgate/contracts';
import { invalidArgument } from '@tillgate/platform';
import type { AccountHistoryLine } from '../domain/ledger.projection';
import {
  ACCOUNT_TYPES,
  type Account,
  type AccountType,
  type CreateAccountResult,
  type CreateTransferResult,
  type TransferRequest,
} from '../domain/ledger.types';

/** Maps between the wire (generated ledgerV1 messages) and the domain; validates at the edge, naming the field. */

const wireName = (prefix: string, code: string) => `${prefix}_${code.toUpperCase()}`;

function enumValue<E extends Record<string, string | number>>(
  enumObject: E,
  prefix: string,
  code: string,
): E[keyof E] {
  const value = enumObject[wireName(prefix, code) as keyof E];
  if (typeof value !== 'number')
    throw new Error(`${prefix} has no value for ${code}: proto and domain disagree`);
  return value;
}

export const toWireAccountResult = (r: CreateAccountResult): ledgerV1.CreateAccountResult =>
  enumValue(ledgerV1.CreateAccountResult, 'CREATE_ACCOUNT_RESULT', r);

export const toWireTransferResult = (r: CreateTransferResult): ledgerV1.CreateTransferResult =>
  enumValue(ledgerV1.CreateTransferResult, 'CREATE_TRANSFER_RESULT', r);

const ACCOUNT_TYPE_BY_WIRE = new Map<ledgerV1.AccountType, AccountType>(
  ACCOUNT_TYPES.map((t) => [enumValue(ledgerV1.AccountType, 'ACCOUNT_TYPE', t), t]),
);

/** int64 fields arrive as decimal strings (ts-proto forceLong=string). */
export function parseAmount(value: string, field: string): bigint {
  if (!/^-?\d+$/.test(value))
    throw invalidArgument(field, 'must be an integer number of minor units');
  return BigInt(value);
}

export function toAccount(wire: ledgerV1.Account, field: string): Account {
  const type = ACCOUNT_TYPE_BY_WIRE.get(wire.type);
  if (!type) throw invalidArgument(`${field}.type`, 'must be one of the AccountType values');
  return {
    id: wire.id,
    type,
    currency: wire.currency,
    flags: {
      debitsMustNotExceedCredits: wire.debitsMustNotExceedCredits,
      creditsMustNotExceedDebits: wire.creditsMustNotExceedDebits,
    },
    reference: wire.reference,
  };
}

export function toTransferRequest(wire: ledgerV1.Transfer, field: string): TransferRequest {
  const common = {
    id: wire.id,
    linked: wire.linked,
    debitAccountId: wire.debitAccountId,
    creditAccountId: wire.creditAccountId,
    amount: parseAmount(wire.amount, `${field}.amount`),
    currency: wire.currency,
    code: wire.code,
  };
  if (wire.pending) return { ...common, kind: 'pending', timeoutSeconds: wire.timeoutSeconds };
  if (wire.timeoutSeconds !== 0)
    throw invalidArgument(`${field}.timeout_seconds`, 'only a pending transfer has a timeout');
  return { ...common, kind: 'single' };
}

export function toWireBalance(b: {
  accountId: string;
  currency: string;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
}): ledgerV1.AccountBalance {
  return {
    accountId: b.accountId,
    currency: b.currency,
    debitsPending: String(b.debitsPending),
    debitsPosted: String(b.debitsPosted),
    creditsPending: String(b.creditsPending),
    creditsPosted: String(b.creditsPosted),
  };
}

export function toWireHistoryLine(
  accountId: string,
  currency: string,
  line: AccountHistoryLine,
): ledgerV1.HistoryLine {
  return {
    sequence: String(line.sequence),
    transferId: line.transferId,
    kind: enumValue(ledgerV1.HistoryLineKind, 'HISTORY_LINE_KIND', line.kind),
    debit: line.side === 'debit',
    pendingDelta: String(line.pendingDelta),
    postedDelta: String(line.postedDelta),
    recordedAtUnixMs: String(line.at),
    balanceAfter: toWireBalance({ accountId, currency, ...line.balanceAfter }),
  };
}
