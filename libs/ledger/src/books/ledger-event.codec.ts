import { ledgerEventsV1, ledgerV1 } from '@tillgate/contracts';
import { eventCodec, type EventCodec, type MessageCodec } from '@tillgate/event-store';
import type { LedgerEvent } from '../domain/ledger.events';
import {
  ACCOUNT_TYPES,
  type Account,
  type AccountType,
  type Transfer,
  type TransferKind,
} from '../domain/ledger.types';

/**
 * How ledger events are stored and published: as the protobuf messages of
 * proto/tillgate/ledger/v1/events.proto (amounts as int64 decimal strings,
 * times as Unix milliseconds), mapped from and to the domain's types.
 */

const TRANSFER_KINDS: readonly TransferKind[] = [
  'single',
  'pending',
  'post_pending',
  'void_pending',
];

function wireEnum<E extends Record<string, string | number>>(
  enumObject: E,
  prefix: string,
  code: string,
): E[keyof E] {
  const value = enumObject[`${prefix}_${code.toUpperCase()}` as keyof E];
  if (typeof value !== 'number') throw new Error(`${prefix} has no value for ${code}`);
  return value;
}

function domainEnum<T extends string>(
  values: readonly T[],
  enumObject: Record<string, string | number>,
  prefix: string,
  wire: number,
): T {
  const found = values.find((v) => enumObject[`${prefix}_${v.toUpperCase()}`] === wire);
  if (!found) throw new Error(`stored ${prefix} ${wire} is unknown to this build`);
  return found;
}

const accountToWire = (a: Account): ledgerV1.Account => ({
  id: a.id,
  type: wireEnum(ledgerV1.AccountType, 'ACCOUNT_TYPE', a.type),
  currency: a.currency,
  debitsMustNotExceedCredits: a.flags.debitsMustNotExceedCredits,
  creditsMustNotExceedDebits: a.flags.creditsMustNotExceedDebits,
  reference: a.reference,
});

const accountFromWire = (w: ledgerV1.Account): Account => ({
  id: w.id,
  type: domainEnum<AccountType>(ACCOUNT_TYPES, ledgerV1.AccountType, 'ACCOUNT_TYPE', w.type),
  currency: w.currency,
  flags: {
    debitsMustNotExceedCredits: w.debitsMustNotExceedCredits,
    creditsMustNotExceedDebits: w.creditsMustNotExceedDebits,
  },
  reference: w.reference,
});

const transferToWire = (t: Transfer): ledgerEventsV1.TransferRecorded => ({
  id: t.id,
  kind: wireEnum(ledgerEventsV1.TransferKind, 'TRANSFER_KIND', t.kind),
  debitAccountId: t.debitAccountId,
  creditAccountId: t.creditAccountId,
  amount: String(t.amount),
  requestedAmount: t.requestedAmount === null ? undefined : String(t.requestedAmount),
  currency: t.currency,
  code: t.code,
  pendingId: t.pendingId ?? '',
  timeoutSeconds: t.timeoutSeconds,
  recordedAtUnixMs: String(t.recordedAt),
  expiresAtUnixMs: t.expiresAt === null ? undefined : String(t.expiresAt),
});

const transferFromWire = (w: ledgerEventsV1.TransferRecorded): Transfer => ({
  id: w.id,
  kind: domainEnum(TRANSFER_KINDS, ledgerEventsV1.TransferKind, 'TRANSFER_KIND', w.kind),
  debitAccountId: w.debitAccountId,
  creditAccountId: w.creditAccountId,
  amount: BigInt(w.amount),
  requestedAmount: w.requestedAmount === undefined ? null : BigInt(w.requestedAmount),
  currency: w.currency,
  code: w.code,
  pendingId: w.pendingId === '' ? null : w.pendingId,
  timeoutSeconds: w.timeoutSeconds,
  recordedAt: Number(w.recordedAtUnixMs),
  expiresAt: w.expiresAtUnixMs === undefined ? null : Number(w.expiresAtUnixMs),
});

function mapped<Domain, Wire>(
  codec: MessageCodec<Wire>,
  toWire: (d: Domain) => Wire,
  fromWire: (w: Wire) => Domain,
): MessageCodec<Domain> {
  return {
    encode: (d) => codec.encode(toWire(d)),
    decode: (bytes) => fromWire(codec.decode(bytes)),
  };
}

type DataOf<T extends LedgerEvent['type']> = Extract<LedgerEvent, { type: T }>['data'];

export const ledgerEventCodec: EventCodec<LedgerEvent> = eventCodec<LedgerEvent>({
  AccountOpened: {
    protoName: 'tillgate.ledger.v1.AccountOpened',
    codec: mapped<DataOf<'AccountOpened'>, ledgerEventsV1.AccountOpened>(
      ledgerEventsV1.AccountOpened,
      (d) => ({ account: accountToWire(d.account) }),
      (w) => {
        if (!w.account) throw new Error('stored AccountOpened has no account');
        return { account: accountFromWire(w.account) };
      },
    ),
  },
  TransferRecorded: {
    protoName: 'tillgate.ledger.v1.TransferRecorded',
    codec: mapped<DataOf<'TransferRecorded'>, ledgerEventsV1.TransferRecorded>(
      ledgerEventsV1.TransferRecorded,
      (d) => transferToWire(d.transfer),
      (w) => ({ transfer: transferFromWire(w) }),
    ),
  },
  PendingTransferExpired: {
    protoName: 'tillgate.ledger.v1.PendingTransferExpired',
    codec: mapped<DataOf<'PendingTransferExpired'>, ledgerEventsV1.PendingTransferExpired>(
      ledgerEventsV1.PendingTransferExpired,
      (d) => ({ pendingId: d.pendingId, expiredAtUnixMs: String(d.expiredAt) }),
      (w) => ({ pendingId: w.pendingId, expiredAt: Number(w.expiredAtUnixMs) }),
    ),
  },
});
