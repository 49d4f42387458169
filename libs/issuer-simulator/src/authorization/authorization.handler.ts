import { Pan } from '@tillgate/crypto';
import { primitive, type TlvNode } from '@tillgate/emv';
import type { IsoMessage } from '@tillgate/iso8583';
import type { Logger } from '@tillgate/platform';
import type { CardDatabase } from '../cards/card-database';
import type { CardRecord } from '../cards/card-record';
import type { ApprovalJournal } from '../journal/approval.journal';
import { responseTo, subfield, text } from '../messages/message-fields';
import type { ResponseCode } from '../messages/response-code';
import type { TransactionKey, TransactionLog } from '../transactions/transaction-log';
import { checkChipData, type ChipDataCheck } from './chip-data.verifier';
import { issuerAuthenticationData } from './issuer-authentication';
import { checkFieldPin, type ZonePinKeys } from './pin.verifier';

export interface AuthorizationDependencies {
  readonly cards: CardDatabase;
  readonly transactions: TransactionLog;
  readonly journal: ApprovalJournal;
  /** The zone PIN keys field 52 is enciphered under, by its length (clear: this is a test host). */
  readonly zonePinKeys: ZonePinKeys;
  readonly now: () => Date;
  /** Field 38 for the next approval. */
  readonly nextAuthCode: () => string;
  readonly logger: Logger;
}

/** Processing codes (field 3, positions 1-2) the simulator accepts: goods and services, cash. */
const SUPPORTED_TRANSACTION_TYPES = new Set(['00', '01']);

/** What the checks decided, before the response is built. */
interface Decision {
  readonly code: ResponseCode;
  readonly reason: string;
  readonly card?: CardRecord;
  readonly chip?: Extract<ChipDataCheck, { outcome: 'verified' }>;
}

const utcDay = (at: Date): string => at.toISOString().slice(0, 10);
/** YYMMDD of a UTC date, comparable with tag 5F24. */
const yymmdd = (at: Date): string => at.toISOString().slice(2, 10).replace(/-/g, '');

/**
 * 0100 (authorization) and 0200 (financial) requests. Checks run in the
 * order an issuer host runs them; the first failure decides field 39:
 * duplicate (94), card number (30 when absent, 14), PIN tries already
 * exceeded (75), expiry (54), chip data (30 malformed, 05 ARQC or a
 * mismatch with the message), processing code (12), amount
 * and currency (13), PIN (55, 75 on the last try, 96 undecipherable),
 * limits (61), funds (51). Approval debits the available balance and is
 * journaled. Once the ARQC verified, the response carries tag 91 whatever
 * the code.
 */
export class AuthorizationHandler {
  constructor(private readonly deps: AuthorizationDependencies) {}

  handle(request: IsoMessage): IsoMessage {
    const now = this.deps.now();
    const key: TransactionKey = {
      terminalId: text(request, 41) ?? '',
      stan: text(request, 11) ?? '',
      transmissionDateTime: text(request, 7) ?? '',
    };
    if (this.deps.transactions.has(key)) {
      // Answered before: the same key again is a duplicate, with no effect.
      this.log(request, { code: '94', reason: 'duplicate transmission' });
      return responseTo(request, '94');
    }

    const decision = this.decide(request, now);
    const amount = Number(text(request, 4) ?? '0');
    const currency = text(request, 49) ?? '';
    let authCode: string | undefined;
    if (decision.code === '00' && decision.card) {
      authCode = this.deps.nextAuthCode();
      // Journal first: written through, a file that cannot be written throws here, before
      // anything changed, and the host answers 96 (batched, a failed write is only logged).
      this.deps.journal.record({
        kind: 'approval',
        at: now.toISOString(),
        mti: request.mti,
        terminalId: key.terminalId,
        ...(text(request, 42) ? { merchantId: text(request, 42) } : {}),
        stan: key.stan,
        transmissionDateTime: key.transmissionDateTime,
        ...(text(request, 37) ? { retrievalReference: text(request, 37) } : {}),
        maskedPan: decision.card.pan.masked,
        amount,
        currency,
        authCode,
      });
      decision.card.debit(amount, utcDay(now));
    }
    if (decision.chip) decision.card?.acceptAtc(decision.chip.atc);
    this.deps.transactions.add({
      key,
      mti: request.mti,
      card: decision.card,
      amount,
      currency,
      responseCode: decision.code,
      authCode,
      day: utcDay(now),
    });
    this.log(request, decision);

    const extra: Record<number, string | TlvNode[]> = {};
    if (authCode) extra[38] = authCode;
    if (decision.chip) {
      extra[55] = [primitive('91', issuerAuthenticationData(decision.chip, decision.code))];
    }
    return responseTo(request, decision.code, extra);
  }

  private decide(request: IsoMessage, now: Date): Decision {
    const track2 = text(request, 35);
    const panDigits = text(request, 2) ?? track2?.split('=')[0];
    if (!panDigits) return { code: '30', reason: 'neither field 2 nor field 35 carries a PAN' };
    if (!Pan.isValid(panDigits)) return { code: '14', reason: 'PAN fails the Luhn check' };
    const card = this.deps.cards.find(panDigits);
    if (!card) return { code: '14', reason: 'no such card' };
    if (card.pinTriesExceeded) return { code: '75', reason: 'PIN tries exceeded earlier', card };

    const { profile, terms } = card.account;
    if (yymmdd(now) > profile.expiryDate) return { code: '54', reason: 'card expired', card };
    const presentedExpiry = text(request, 14) ?? track2?.split('=')[1]?.slice(0, 4);
    if (presentedExpiry !== undefined && presentedExpiry !== profile.expiryDate.slice(0, 4)) {
      return { code: '54', reason: 'presented expiry differs from the card', card };
    }

    const amountText = text(request, 4) ?? '';
    const currency = text(request, 49) ?? '';
    let chip: Decision['chip'];
    const iccData = request.fields[55];
    if (Array.isArray(iccData)) {
      const check = checkChipData(iccData as TlvNode[], card, { amount: amountText, currency });
      if (check.outcome === 'format-error') return { code: '30', reason: check.reason, card };
      if (check.outcome === 'not-authenticated') return { code: '05', reason: check.reason, card };
      chip = check;
    } else if (subfield(request, 22, 'panEntryMode') === '05') {
      return { code: '30', reason: 'chip entry mode without field 55', card };
    }

    const decided = (code: ResponseCode, reason: string): Decision => ({
      code,
      reason,
      card,
      chip,
    });
    if (!SUPPORTED_TRANSACTION_TYPES.has(subfield(request, 3, 'transactionType') ?? '')) {
      return decided('12', 'processing code not supported');
    }
    const amount = Number(amountText);
    if (amount === 0) return decided('13', 'zero amount');
    if (currency !== terms.currency) return decided('13', 'currency is not the account currency');

    const pinBlock = request.fields[52];
    if (pinBlock instanceof Uint8Array) {
      const pin = checkFieldPin(pinBlock, card, this.deps.zonePinKeys);
      if (pin === 'undecipherable') {
        return decided(
          '96',
          `${pinBlock.length}-byte PIN block does not decipher under the zone PIN key`,
        );
      }
      if (pin === 'wrong') {
        return card.recordWrongPin()
          ? decided('75', 'wrong PIN, tries exhausted')
          : decided('55', 'wrong PIN');
      }
      card.resetPinTries();
    }

    if (terms.perTransactionLimit !== undefined && amount > terms.perTransactionLimit) {
      return decided('61', 'over the per-transaction limit');
    }
    if (
      terms.dailyLimit !== undefined &&
      card.approvedOn(utcDay(now)) + amount > terms.dailyLimit
    ) {
      return decided('61', 'over the daily limit');
    }
    if (amount > card.available) return decided('51', 'insufficient funds');
    return decided('00', 'approved');
  }

  private log(request: IsoMessage, decision: Pick<Decision, 'code' | 'reason' | 'card'>): void {
    this.deps.logger.info(
      {
        mti: request.mti,
        stan: text(request, 11),
        terminalId: text(request, 41),
        amount: text(request, 4),
        card: decision.card?.pan.masked,
        responseCode: decision.code,
        reason: decision.reason,
      },
      'authorization',
    );
  }
}
