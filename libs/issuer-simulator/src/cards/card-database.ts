import type { CardAccount } from './card-account';
import { CardRecord, type CardSummary } from './card-record';

/** The simulator's cards, by PAN. In memory: every start begins from the configured balances. */
export class CardDatabase {
  private readonly byPan = new Map<string, CardRecord>();

  constructor(accounts: readonly CardAccount[] = []) {
    for (const account of accounts) this.add(account);
  }

  /** Adds a card; a second card with the same PAN is refused. */
  add(account: CardAccount): CardRecord {
    const record = new CardRecord(account);
    const digits = record.pan.reveal();
    if (this.byPan.has(digits)) {
      throw new Error(`card ${record.pan.masked} is already in the database`);
    }
    this.byPan.set(digits, record);
    return record;
  }

  find(panDigits: string): CardRecord | undefined {
    return this.byPan.get(panDigits);
  }

  get size(): number {
    return this.byPan.size;
  }

  list(): CardSummary[] {
    return [...this.byPan.values()].map((r) => r.summary());
  }
}
