import type { LedgerEvent } from './ledger.events';
import { zeroBalance, type AccountBalance, type Transfer } from './ledger.types';

/** One line of an account's history: what an event did to it, and its balance after. */
export interface AccountHistoryLine {
  /** 1-based, gap-free per account: the page cursor of GetAccountHistory. */
  sequence: number;
  transferId: string;
  kind: Transfer['kind'] | 'expiry';
  side: 'debit' | 'credit';
  /** Change to the pending and posted sides of this account. */
  pendingDelta: bigint;
  postedDelta: bigint;
  at: number;
  balanceAfter: AccountBalance;
}

/**
 * The read model behind GetBalances and GetAccountHistory, folded from the
 * events alone (it shares no code with the decider's state, so the
 * property test compares two independent folds). Rebuild = new projection
 * + `apply` every event from the start.
 */
export class LedgerProjection {
  private readonly balances = new Map<string, AccountBalance>();
  private readonly history = new Map<string, AccountHistoryLine[]>();
  private readonly transfers = new Map<
    string,
    Pick<Transfer, 'debitAccountId' | 'creditAccountId' | 'amount'>
  >();

  apply(event: LedgerEvent): void {
    switch (event.type) {
      case 'AccountOpened':
        this.balances.set(event.data.account.id, zeroBalance());
        this.history.set(event.data.account.id, []);
        return;
      case 'TransferRecorded': {
        const t = event.data.transfer;
        this.transfers.set(t.id, t);
        switch (t.kind) {
          case 'single':
            this.line(t.debitAccountId, t.id, t.kind, 'debit', 0n, t.amount, t.recordedAt);
            this.line(t.creditAccountId, t.id, t.kind, 'credit', 0n, t.amount, t.recordedAt);
            return;
          case 'pending':
            this.line(t.debitAccountId, t.id, t.kind, 'debit', t.amount, 0n, t.recordedAt);
            this.line(t.creditAccountId, t.id, t.kind, 'credit', t.amount, 0n, t.recordedAt);
            return;
          case 'post_pending':
          case 'void_pending': {
            const reserved = this.reserved(t.pendingId);
            const posted = t.kind === 'post_pending' ? t.amount : 0n;
            this.line(t.debitAccountId, t.id, t.kind, 'debit', -reserved, posted, t.recordedAt);
            this.line(t.creditAccountId, t.id, t.kind, 'credit', -reserved, posted, t.recordedAt);
            return;
          }
          default: {
            const never: never = t.kind;
            throw new Error(`unknown transfer kind ${String(never)}`);
          }
        }
      }
      case 'PendingTransferExpired': {
        const pending = this.transfers.get(event.data.pendingId);
        if (!pending) throw new Error(`expiry of unknown reservation ${event.data.pendingId}`);
        const at = event.data.expiredAt;
        this.line(
          pending.debitAccountId,
          event.data.pendingId,
          'expiry',
          'debit',
          -pending.amount,
          0n,
          at,
        );
        this.line(
          pending.creditAccountId,
          event.data.pendingId,
          'expiry',
          'credit',
          -pending.amount,
          0n,
          at,
        );
        return;
      }
      default: {
        const never: never = event;
        throw new Error(`unknown ledger event ${JSON.stringify(never)}`);
      }
    }
  }

  balanceOf(accountId: string): AccountBalance | undefined {
    const b = this.balances.get(accountId);
    return b && { ...b };
  }

  allBalances(): Map<string, AccountBalance> {
    return new Map([...this.balances].map(([id, b]) => [id, { ...b }]));
  }

  /** Lines with sequence > `after`, at most `limit` of them. */
  historyOf(accountId: string, after = 0, limit = 100): AccountHistoryLine[] {
    return (this.history.get(accountId) ?? []).slice(after, after + limit);
  }

  private reserved(pendingId: string | null): bigint {
    const pending = pendingId ? this.transfers.get(pendingId) : undefined;
    if (!pending) throw new Error(`settlement of unknown reservation ${pendingId}`);
    return pending.amount;
  }

  private line(
    accountId: string,
    transferId: string,
    kind: AccountHistoryLine['kind'],
    side: 'debit' | 'credit',
    pendingDelta: bigint,
    postedDelta: bigint,
    at: number,
  ): void {
    const before = this.balances.get(accountId);
    const lines = this.history.get(accountId);
    if (!before || !lines) throw new Error(`ledger event refers to unknown account ${accountId}`);
    const after: AccountBalance =
      side === 'debit'
        ? {
            ...before,
            debitsPending: before.debitsPending + pendingDelta,
            debitsPosted: before.debitsPosted + postedDelta,
          }
        : {
            ...before,
            creditsPending: before.creditsPending + pendingDelta,
            creditsPosted: before.creditsPosted + postedDelta,
          };
    this.balances.set(accountId, after);
    lines.push({
      sequence: lines.length + 1,
      transferId,
      kind,
      side,
      pendingDelta,
      postedDelta,
      at,
      balanceAfter: { ...after },
    });
  }
}
