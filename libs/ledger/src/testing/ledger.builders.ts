import type {
  Account,
  AccountType,
  PendingTransferRequest,
  PostPendingRequest,
  SingleTransferRequest,
  VoidPendingRequest,
} from '../domain/ledger.types';

class AccountBuilder {
  constructor(private readonly value: Account) {}
  withId(id: string) {
    return new AccountBuilder({ ...this.value, id });
  }
  ofType(type: AccountType) {
    return new AccountBuilder({ ...this.value, type });
  }
  inCurrency(currency: string) {
    return new AccountBuilder({ ...this.value, currency });
  }
  /** Debits never above posted credits: a float that cannot go negative. */
  thatCannotGoNegative() {
    return new AccountBuilder({
      ...this.value,
      flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false },
    });
  }
  withCreditsCappedByDebits() {
    return new AccountBuilder({
      ...this.value,
      flags: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: true },
    });
  }
  withReference(reference: string) {
    return new AccountBuilder({ ...this.value, reference });
  }
  build(): Account {
    return { ...this.value, flags: { ...this.value.flags } };
  }
}

export const anAccount = (id = 'acc-1') =>
  new AccountBuilder({
    id,
    type: 'suspense',
    currency: 'EUR',
    flags: { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: false },
    reference: '',
  });

export const aTransfer = (
  id: string,
  debitAccountId: string,
  creditAccountId: string,
  amount: bigint,
  currency = 'EUR',
): SingleTransferRequest => ({
  kind: 'single',
  id,
  debitAccountId,
  creditAccountId,
  amount,
  currency,
  code: 'test',
});

export const aReservation = (
  id: string,
  debitAccountId: string,
  creditAccountId: string,
  amount: bigint,
  timeoutSeconds = 0,
  currency = 'EUR',
): PendingTransferRequest => ({
  ...aTransfer(id, debitAccountId, creditAccountId, amount, currency),
  kind: 'pending',
  timeoutSeconds,
});

export const aPost = (
  id: string,
  pendingId: string,
  amount: bigint | null = null,
): PostPendingRequest => ({
  kind: 'post_pending',
  id,
  pendingId,
  amount,
});

export const aVoid = (id: string, pendingId: string): VoidPendingRequest => ({
  kind: 'void_pending',
  id,
  pendingId,
});

export const linked = <T extends { linked?: boolean }>(item: T): T => ({ ...item, linked: true });
