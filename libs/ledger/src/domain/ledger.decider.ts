import type { LedgerCommand } from './ledger.commands';
import type { LedgerEvent } from './ledger.events';
import {
  applyInPlace,
  evolve,
  forkState,
  initialLedgerState,
  type LedgerState,
} from './ledger.state';
import {
  MAX_AMOUNT,
  type Account,
  type CreateAccountResult,
  type CreateTransferResult,
  type Transfer,
  type TransferRequest,
} from './ledger.types';

const ISO_4217 = /^[A-Z]{3}$/;

export interface Decided<Result> {
  events: LedgerEvent[];
  /** One per submitted item, in order. */
  results: Result[];
}

function accountConflict(existing: Account, account: Account): CreateAccountResult {
  if (existing.type !== account.type) return 'exists_with_different_type';
  if (existing.currency !== account.currency) return 'exists_with_different_currency';
  if (
    existing.flags.debitsMustNotExceedCredits !== account.flags.debitsMustNotExceedCredits ||
    existing.flags.creditsMustNotExceedDebits !== account.flags.creditsMustNotExceedDebits
  ) {
    return 'exists_with_different_flags';
  }
  if (existing.reference !== account.reference) return 'exists_with_different_reference';
  return 'exists';
}

/** Opens each account unless its id exists; an identical retry answers `exists`. Items are independent. */
export function createAccounts(
  state: LedgerState,
  accounts: readonly Account[],
): Decided<CreateAccountResult> {
  const seen = new Map<string, Account>();
  const events: LedgerEvent[] = [];
  const results = accounts.map((account): CreateAccountResult => {
    if (!account.id) return 'id_must_not_be_empty';
    const existing = seen.get(account.id) ?? state.accounts.get(account.id)?.account;
    if (existing) return accountConflict(existing, account);
    if (!ISO_4217.test(account.currency)) return 'currency_must_be_iso_4217';
    if (account.flags.debitsMustNotExceedCredits && account.flags.creditsMustNotExceedDebits) {
      return 'flags_are_mutually_exclusive';
    }
    seen.set(account.id, account);
    events.push({ type: 'AccountOpened', data: { account } });
    return 'ok';
  });
  return { events, results };
}

/** Compares a retry with the transfer recorded under its id. */
function transferConflict(existing: Transfer, request: TransferRequest): CreateTransferResult {
  if (existing.kind !== request.kind) return 'exists_with_different_kind';
  switch (request.kind) {
    case 'single':
    case 'pending':
      if (existing.debitAccountId !== request.debitAccountId)
        return 'exists_with_different_debit_account_id';
      if (existing.creditAccountId !== request.creditAccountId)
        return 'exists_with_different_credit_account_id';
      if (existing.requestedAmount !== request.amount) return 'exists_with_different_amount';
      if (existing.currency !== request.currency) return 'exists_with_different_currency';
      if (existing.code !== request.code) return 'exists_with_different_code';
      if (request.kind === 'pending' && existing.timeoutSeconds !== request.timeoutSeconds) {
        return 'exists_with_different_timeout';
      }
      return 'exists';
    case 'post_pending':
      if (existing.pendingId !== request.pendingId) return 'exists_with_different_pending_id';
      if (existing.requestedAmount !== request.amount) return 'exists_with_different_amount';
      return 'exists';
    case 'void_pending':
      if (existing.pendingId !== request.pendingId) return 'exists_with_different_pending_id';
      return 'exists';
    default: {
      const never: never = request;
      throw new Error(`unknown transfer kind ${JSON.stringify(never)}`);
    }
  }
}

type Checked = { ok: true; transfer: Transfer } | { ok: false; result: CreateTransferResult };
const refuse = (result: CreateTransferResult): Checked => ({ ok: false, result });

function checkAmount(amount: bigint): CreateTransferResult | null {
  if (amount <= 0n) return 'amount_must_be_positive';
  if (amount > MAX_AMOUNT) return 'amount_exceeds_maximum';
  return null;
}

/** Validates a new (non-retry) transfer against the state and derives what it records. */
function checkNew(state: LedgerState, request: TransferRequest, now: number): Checked {
  switch (request.kind) {
    case 'single':
    case 'pending': {
      const amountProblem = checkAmount(request.amount);
      if (amountProblem) return refuse(amountProblem);
      if (request.debitAccountId === request.creditAccountId)
        return refuse('accounts_must_be_different');
      if (!ISO_4217.test(request.currency)) return refuse('currency_must_be_iso_4217');
      const timeoutSeconds = request.kind === 'pending' ? request.timeoutSeconds : 0;
      if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 0)
        return refuse('timeout_must_not_be_negative');
      const debit = state.accounts.get(request.debitAccountId);
      if (!debit) return refuse('debit_account_not_found');
      const credit = state.accounts.get(request.creditAccountId);
      if (!credit) return refuse('credit_account_not_found');
      if (debit.account.currency !== credit.account.currency)
        return refuse('accounts_must_have_the_same_currency');
      if (request.currency !== debit.account.currency)
        return refuse('transfer_must_have_the_same_currency_as_accounts');
      const d = debit.balance;
      if (
        debit.account.flags.debitsMustNotExceedCredits &&
        d.debitsPending + d.debitsPosted + request.amount > d.creditsPosted
      ) {
        return refuse('exceeds_credits');
      }
      const c = credit.balance;
      if (
        credit.account.flags.creditsMustNotExceedDebits &&
        c.creditsPending + c.creditsPosted + request.amount > c.debitsPosted
      ) {
        return refuse('exceeds_debits');
      }
      return {
        ok: true,
        transfer: {
          id: request.id,
          kind: request.kind,
          debitAccountId: request.debitAccountId,
          creditAccountId: request.creditAccountId,
          amount: request.amount,
          requestedAmount: request.amount,
          currency: request.currency,
          code: request.code,
          pendingId: null,
          timeoutSeconds,
          recordedAt: now,
          expiresAt:
            request.kind === 'pending' && timeoutSeconds > 0 ? now + timeoutSeconds * 1000 : null,
        },
      };
    }
    case 'post_pending':
    case 'void_pending': {
      if (!request.pendingId) return refuse('pending_id_must_not_be_empty');
      if (request.pendingId === request.id) return refuse('pending_id_must_be_different');
      if (request.kind === 'post_pending' && request.amount !== null) {
        const amountProblem = checkAmount(request.amount);
        if (amountProblem) return refuse(amountProblem);
      }
      const pending = state.transfers.get(request.pendingId);
      if (!pending) return refuse('pending_transfer_not_found');
      if (pending.kind !== 'pending') return refuse('pending_transfer_not_pending');
      const status = state.pendingStatus.get(pending.id);
      if (status === 'posted') return refuse('pending_transfer_already_posted');
      if (status === 'voided') return refuse('pending_transfer_already_voided');
      if (status === 'expired') return refuse('pending_transfer_expired');
      const amount =
        request.kind === 'post_pending' ? (request.amount ?? pending.amount) : pending.amount;
      if (amount > pending.amount) return refuse('exceeds_pending_transfer_amount');
      return {
        ok: true,
        transfer: {
          id: request.id,
          kind: request.kind,
          debitAccountId: pending.debitAccountId,
          creditAccountId: pending.creditAccountId,
          amount,
          requestedAmount: request.kind === 'post_pending' ? request.amount : null,
          currency: pending.currency,
          code: pending.code,
          pendingId: pending.id,
          timeoutSeconds: 0,
          recordedAt: now,
          expiresAt: null,
        },
      };
    }
    default: {
      const never: never = request;
      throw new Error(`unknown transfer kind ${JSON.stringify(never)}`);
    }
  }
}

function decideOne(state: LedgerState, request: TransferRequest, now: number): Checked {
  if (!request.id) return refuse('id_must_not_be_empty');
  const existing = state.transfers.get(request.id);
  if (existing) return refuse(transferConflict(existing, request));
  return checkNew(state, request, now);
}

/** Reservations whose timeout has passed at `now` (live while now < expiresAt). */
export function expireDue(state: LedgerState, now: number): LedgerEvent[] {
  const events: LedgerEvent[] = [];
  for (const id of [...state.openPending].sort()) {
    const expiresAt = state.transfers.get(id)?.expiresAt;
    if (expiresAt !== null && expiresAt !== undefined && expiresAt <= now) {
      events.push({ type: 'PendingTransferExpired', data: { pendingId: id, expiredAt: now } });
    }
  }
  return events;
}

/**
 * Decides a batch of transfers at `now`. Reservations due at `now` expire
 * first. Items run in order, each seeing the effect of those before it.
 * A chain of items flagged `linked` (ending at the first unflagged one) is
 * all-or-nothing: when one fails it keeps its own code, the others get
 * `linked_event_failed`, and none of them is recorded. A chain still open
 * at the end of the batch fails as a whole.
 */
export function createTransfers(
  state: LedgerState,
  requests: readonly TransferRequest[],
  now: number,
): Decided<CreateTransferResult> {
  const events = expireDue(state, now);
  const working = forkState(state);
  for (const event of events) applyInPlace(working, event);
  const results: CreateTransferResult[] = new Array(requests.length);

  let start = 0;
  while (start < requests.length) {
    let end = start;
    while (end < requests.length - 1 && requests[end].linked) end++;
    const chainOpen = Boolean(requests[end].linked);
    const chain = requests.slice(start, end + 1);

    if (chainOpen) {
      chain.forEach((_, i) => (results[start + i] = 'linked_event_failed'));
      results[end] = 'linked_event_chain_open';
    } else {
      // A linked chain is tried on a fork of its own, kept only if the whole chain succeeds.
      const attempt = chain.length > 1 ? forkState(working) : working;
      const chainEvents: LedgerEvent[] = [];
      let failedAt = -1;
      for (let i = 0; i < chain.length; i++) {
        const checked = decideOne(attempt, chain[i], now);
        if (!checked.ok) {
          results[start + i] = checked.result;
          if (checked.result === 'exists') continue;
          failedAt = i;
          break;
        }
        const event: LedgerEvent = {
          type: 'TransferRecorded',
          data: { transfer: checked.transfer },
        };
        applyInPlace(attempt, event);
        chainEvents.push(event);
        results[start + i] = 'ok';
      }
      if (failedAt >= 0) {
        chain.forEach((_, i) => i !== failedAt && (results[start + i] = 'linked_event_failed'));
      } else {
        if (attempt !== working) for (const event of chainEvents) applyInPlace(working, event);
        events.push(...chainEvents);
      }
    }
    start = end + 1;
  }
  return { events, results };
}

/** The ledger as an event-store decider (`@tillgate/event-store`'s `Decider` shape). */
export const ledgerDecider = {
  initialState: initialLedgerState,
  evolve,
  decide(command: LedgerCommand, state: LedgerState): LedgerEvent[] {
    switch (command.type) {
      case 'CreateAccounts':
        return createAccounts(state, command.accounts).events;
      case 'CreateTransfers':
        return createTransfers(state, command.transfers, command.now).events;
      case 'ExpirePendingTransfers':
        return expireDue(state, command.now);
      default: {
        const never: never = command;
        throw new Error(`unknown ledger command ${JSON.stringify(never)}`);
      }
    }
  },
};
