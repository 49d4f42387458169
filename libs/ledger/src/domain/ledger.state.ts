import type { LedgerEvent } from './ledger.events';
import type { Account, AccountBalance, PendingStatus, Transfer } from './ledger.types';

export interface AccountEntry {
  account: Account;
  balance: AccountBalance;
}

/**
 * The ledger's state. Entries are replaced, never mutated, so a shallow
 * copy of the maps (`cloneState`) is an independent state.
 */
export interface LedgerState {
  accounts: Map<string, AccountEntry>;
  transfers: Map<string, Transfer>;
  pendingStatus: Map<string, PendingStatus>;
  /** Ids of reservations still `pending`, for the expiry sweep. */
  openPending: Set<string>;
}

export const initialLedgerState = (): LedgerState => ({
  accounts: new Map(),
  transfers: new Map(),
  pendingStatus: new Map(),
  openPending: new Set(),
});

export const cloneState = (state: LedgerState): LedgerState => ({
  accounts: new Map(state.accounts),
  transfers: new Map(state.transfers),
  pendingStatus: new Map(state.pendingStatus),
  openPending: new Set(state.openPending),
});

/**
 * A map over `base` that keeps its own writes and never changes `base`:
 * made in O(1), each read and write O(1), iteration O(base + own).
 */
class ForkedMap<K, V> extends Map<K, V> {
  private readonly removed = new Set<K>();

  constructor(private readonly base: ReadonlyMap<K, V>) {
    super();
  }

  override get(key: K): V | undefined {
    if (super.has(key)) return super.get(key);
    return this.removed.has(key) ? undefined : this.base.get(key);
  }

  override has(key: K): boolean {
    return super.has(key) || (!this.removed.has(key) && this.base.has(key));
  }

  override set(key: K, value: V): this {
    this.removed.delete(key);
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    const had = this.has(key);
    super.delete(key);
    if (this.base.has(key)) this.removed.add(key);
    return had;
  }

  override clear(): void {
    for (const key of this.base.keys()) this.removed.add(key);
    super.clear();
  }

  override get size(): number {
    let size = super.size;
    for (const key of this.base.keys()) if (!super.has(key) && !this.removed.has(key)) size++;
    return size;
  }

  override *entries(): MapIterator<[K, V]> {
    yield* super.entries();
    for (const [key, value] of this.base)
      if (!super.has(key) && !this.removed.has(key)) yield [key, value];
  }

  override *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  override *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  override forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
}

/** A set over `base` with the same contract as ForkedMap. */
class ForkedSet<T> extends Set<T> {
  private readonly removed = new Set<T>();

  constructor(private readonly base: ReadonlySet<T>) {
    super();
  }

  override has(value: T): boolean {
    return super.has(value) || (!this.removed.has(value) && this.base.has(value));
  }

  override add(value: T): this {
    this.removed.delete(value);
    return super.add(value);
  }

  override delete(value: T): boolean {
    const had = this.has(value);
    super.delete(value);
    if (this.base.has(value)) this.removed.add(value);
    return had;
  }

  override clear(): void {
    for (const value of this.base) this.removed.add(value);
    super.clear();
  }

  override get size(): number {
    let size = super.size;
    for (const value of this.base) if (!super.has(value) && !this.removed.has(value)) size++;
    return size;
  }

  override *values(): SetIterator<T> {
    yield* super.values();
    for (const value of this.base) if (!super.has(value) && !this.removed.has(value)) yield value;
  }

  override keys(): SetIterator<T> {
    return this.values();
  }

  override *entries(): SetIterator<[T, T]> {
    for (const value of this.values()) yield [value, value];
  }

  override [Symbol.iterator](): SetIterator<T> {
    return this.values();
  }

  override forEach(callback: (value: T, key: T, set: Set<T>) => void, thisArg?: unknown): void {
    for (const value of this.values()) callback.call(thisArg, value, value, this);
  }
}

/**
 * A working copy of `state` for a decision: reads fall through to `state`,
 * writes stay in the fork, and `state` is never changed. Unlike
 * `cloneState` it costs nothing up front, so deciding a batch costs time in
 * proportion to the batch, not to every transfer the books hold.
 */
export const forkState = (state: LedgerState): LedgerState => ({
  accounts: new ForkedMap(state.accounts),
  transfers: new ForkedMap(state.transfers),
  pendingStatus: new ForkedMap(state.pendingStatus),
  openPending: new ForkedSet(state.openPending),
});

type BalanceDelta = Partial<AccountBalance>;

function adjust(state: LedgerState, accountId: string, delta: BalanceDelta): void {
  const entry = state.accounts.get(accountId);
  if (!entry) throw new Error(`ledger event refers to unknown account ${accountId}`);
  const b = entry.balance;
  state.accounts.set(accountId, {
    account: entry.account,
    balance: {
      debitsPending: b.debitsPending + (delta.debitsPending ?? 0n),
      debitsPosted: b.debitsPosted + (delta.debitsPosted ?? 0n),
      creditsPending: b.creditsPending + (delta.creditsPending ?? 0n),
      creditsPosted: b.creditsPosted + (delta.creditsPosted ?? 0n),
    },
  });
}

function pendingOf(state: LedgerState, pendingId: string | null): Transfer {
  const pending = pendingId === null ? undefined : state.transfers.get(pendingId);
  if (!pending || pending.kind !== 'pending')
    throw new Error(`ledger event refers to unknown reservation ${pendingId}`);
  return pending;
}

function release(state: LedgerState, pending: Transfer, status: PendingStatus): void {
  adjust(state, pending.debitAccountId, { debitsPending: -pending.amount });
  adjust(state, pending.creditAccountId, { creditsPending: -pending.amount });
  state.pendingStatus.set(pending.id, status);
  state.openPending.delete(pending.id);
}

/**
 * Folds one event into `state`, changing it in place. Only for a state the
 * caller owns (a fresh fold, the decider's working copy); `evolve` is the
 * pure version.
 */
export function applyInPlace(state: LedgerState, event: LedgerEvent): LedgerState {
  switch (event.type) {
    case 'AccountOpened': {
      const { account } = event.data;
      state.accounts.set(account.id, {
        account,
        balance: { debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 0n },
      });
      return state;
    }
    case 'TransferRecorded': {
      const t = event.data.transfer;
      state.transfers.set(t.id, t);
      switch (t.kind) {
        case 'single':
          adjust(state, t.debitAccountId, { debitsPosted: t.amount });
          adjust(state, t.creditAccountId, { creditsPosted: t.amount });
          return state;
        case 'pending':
          adjust(state, t.debitAccountId, { debitsPending: t.amount });
          adjust(state, t.creditAccountId, { creditsPending: t.amount });
          state.pendingStatus.set(t.id, 'pending');
          state.openPending.add(t.id);
          return state;
        case 'post_pending':
          release(state, pendingOf(state, t.pendingId), 'posted');
          adjust(state, t.debitAccountId, { debitsPosted: t.amount });
          adjust(state, t.creditAccountId, { creditsPosted: t.amount });
          return state;
        case 'void_pending':
          release(state, pendingOf(state, t.pendingId), 'voided');
          return state;
        default: {
          const never: never = t.kind;
          throw new Error(`unknown transfer kind ${String(never)}`);
        }
      }
    }
    case 'PendingTransferExpired':
      release(state, pendingOf(state, event.data.pendingId), 'expired');
      return state;
    default: {
      const never: never = event;
      throw new Error(`unknown ledger event ${JSON.stringify(never)}`);
    }
  }
}

/** Pure: the state after `event`, leaving `state` untouched. */
export const evolve = (state: LedgerState, event: LedgerEvent): LedgerState =>
  applyInPlace(cloneState(state), event);

/** The state after `events` from the initial state, in O(events). */
export function foldLedger(
  events: Iterable<LedgerEvent>,
  from: LedgerState = initialLedgerState(),
): LedgerState {
  const state = cloneState(from);
  for (const event of events) applyInPlace(state, event);
  return state;
}
