import type { IsoMessage } from '@tillgate/iso8583';
import type { Logger } from '@tillgate/platform';
import type { ApprovalJournal } from '../journal/approval.journal';
import { responseTo, subfield, text } from '../messages/message-fields';
import type { ResponseCode } from '../messages/response-code';
import type { TransactionKey, TransactionLog } from '../transactions/transaction-log';

export interface ReversalDependencies {
  readonly transactions: TransactionLog;
  readonly journal: ApprovalJournal;
  readonly now: () => Date;
  readonly logger: Logger;
}

/**
 * 0400 (reversal request) and 0420 (reversal advice), and their repeats
 * 0401 and 0421, which are handled exactly like them. The original is found
 * by terminal id (41) and field 90's original STAN and transmission date and
 * time. Reversals are idempotent: the first one that is accepted restores
 * the balance and is journaled; every repeat (0400 again, 0420, 0421) gets
 * the same answer and changes nothing.
 *
 * Field 95 (replacement amounts) makes it partial: the actual amount stands,
 * the rest is given back. Answers: 00 accepted (also when the original was
 * declined: nothing to give back), 25 no such original, 13 field 4 is not
 * the original amount, 30 field 90 unreadable.
 */
export class ReversalHandler {
  constructor(private readonly deps: ReversalDependencies) {}

  handle(request: IsoMessage): IsoMessage {
    const originalMti = subfield(request, 90, 'originalMti');
    const key: TransactionKey = {
      terminalId: text(request, 41) ?? '',
      stan: subfield(request, 90, 'originalStan') ?? '',
      transmissionDateTime: subfield(request, 90, 'originalTransmissionDateTime') ?? '',
    };
    if (!originalMti || !key.stan || !key.transmissionDateTime) {
      return this.answer(request, '30', 'field 90 does not name the original');
    }
    const original = this.deps.transactions.get(key);
    if (!original || original.mti !== originalMti) {
      return this.answer(request, '25', 'original not found');
    }
    if (original.reversal) {
      return this.answer(request, original.reversal.responseCode, 'repeat of an accepted reversal');
    }
    if (Number(text(request, 4) ?? '-1') !== original.amount) {
      return this.answer(request, '13', 'field 4 is not the original amount');
    }
    const stands = Number(subfield(request, 95, 'actualAmountTransaction') ?? '0');
    if (stands > original.amount) {
      return this.answer(request, '13', 'replacement amount above the original');
    }

    const approved = original.responseCode === '00' && original.card !== undefined;
    const restored = approved ? original.amount - stands : 0;
    if (approved && original.card) {
      // Journal first: written through, a file that cannot be written throws here, before
      // anything changed, and the host answers 96 (batched, a failed write is only logged).
      const now = this.deps.now();
      this.deps.journal.record({
        kind: 'reversal',
        at: now.toISOString(),
        mti: request.mti,
        terminalId: key.terminalId,
        stan: text(request, 11) ?? '',
        transmissionDateTime: text(request, 7) ?? '',
        maskedPan: original.card.pan.masked,
        amount: restored,
        currency: original.currency,
        original: {
          mti: original.mti,
          stan: key.stan,
          transmissionDateTime: key.transmissionDateTime,
          ...(original.authCode ? { authCode: original.authCode } : {}),
        },
      });
      original.card.credit(restored, original.day);
    }
    original.reversal = { responseCode: '00', restored };
    return this.answer(
      request,
      '00',
      approved ? `reversed ${restored}` : 'original was declined: nothing to restore',
    );
  }

  private answer(request: IsoMessage, code: ResponseCode, reason: string): IsoMessage {
    this.deps.logger.info(
      {
        mti: request.mti,
        stan: text(request, 11),
        terminalId: text(request, 41),
        originalStan: subfield(request, 90, 'originalStan'),
        responseCode: code,
        reason,
      },
      'reversal',
    );
    return responseTo(request, code);
  }
}
