import { CRYPTOGRAM_VERSIONS, Pan, deriveIccMasterKey } from '@tillgate/crypto';
import type { CardAccount } from './card-account';

/** What the control channel and logs may show of a card: never the PAN, PIN or keys. */
export interface CardSummary {
  readonly maskedPan: string;
  readonly expiryDate: string;
  readonly currency: string;
  readonly available: number;
  readonly cryptogramVersion: string;
  readonly wrongPinCount: number;
  readonly pinTriesExceeded: boolean;
  readonly lastAtc?: number;
}

/** One card's mutable issuer-side state: available balance, PIN tries, last ATC, daily totals. */
export class CardRecord {
  readonly pan: Pan;
  private availableBalance: number;
  private wrongPins = 0;
  private highestAtc: number | undefined;
  private readonly approvedByDay = new Map<string, number>();
  private derivedIccMasterKey: Buffer | undefined;

  constructor(readonly account: CardAccount) {
    this.pan = Pan.parse(account.profile.pan);
    this.availableBalance = account.terms.balance;
  }

  /**
   * The card's ICC master key for application cryptograms (EMV Book 2
   * A1.4, by the option of the card's CVN), derived on first use and kept:
   * it depends only on the IMK-AC, the PAN and the PSN. Throws the EmvError
   * of a PSN that is not two digits.
   */
  get iccMasterKey(): Buffer {
    this.derivedIccMasterKey ??= deriveIccMasterKey(
      Buffer.from(this.account.profile.issuerMasterKeys.ac),
      { pan: this.pan, psn: this.account.profile.panSequenceNumber },
      CRYPTOGRAM_VERSIONS[this.account.terms.cryptogramVersion].masterKeyDerivation,
    );
    return this.derivedIccMasterKey;
  }

  get available(): number {
    return this.availableBalance;
  }

  get pinTriesExceeded(): boolean {
    return this.wrongPins >= this.account.terms.pinTryLimit;
  }

  /** Counts a wrong PIN; true when this one used up the last try. */
  recordWrongPin(): boolean {
    this.wrongPins++;
    return this.pinTriesExceeded;
  }

  resetPinTries(): void {
    this.wrongPins = 0;
  }

  /** A card's ATC only goes up: an ARQC with an ATC not above the last accepted one is a replay. */
  isFreshAtc(atc: number): boolean {
    return this.highestAtc === undefined || atc > this.highestAtc;
  }

  acceptAtc(atc: number): void {
    this.highestAtc = Math.max(atc, this.highestAtc ?? atc);
  }

  approvedOn(day: string): number {
    return this.approvedByDay.get(day) ?? 0;
  }

  debit(amount: number, day: string): void {
    this.availableBalance -= amount;
    this.approvedByDay.set(day, this.approvedOn(day) + amount);
  }

  /** Gives back (part of) an approved amount, e.g. on reversal, on the day it was approved. */
  credit(amount: number, day: string): void {
    this.availableBalance += amount;
    this.approvedByDay.set(day, Math.max(0, this.approvedOn(day) - amount));
  }

  summary(): CardSummary {
    return {
      maskedPan: this.pan.masked,
      expiryDate: this.account.profile.expiryDate,
      currency: this.account.terms.currency,
      available: this.availableBalance,
      cryptogramVersion: this.account.terms.cryptogramVersion,
      wrongPinCount: this.wrongPins,
      pinTriesExceeded: this.pinTriesExceeded,
      ...(this.highestAtc === undefined ? {} : { lastAtc: this.highestAtc }),
    };
  }
}
