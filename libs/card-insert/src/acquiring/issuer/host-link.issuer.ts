import { encodeTlv, type TlvNode } from '@tillgate/emv';
import { HostLinkError, transmissionDateTime, type HostLink } from '@tillgate/host-link';
import type { FieldValue, IsoMessage } from '@tillgate/iso8583';
import type {
  IssuerAnswer,
  IssuerAuthorization,
  IssuerPort,
  IssuerReversal,
  ReversalAnswer,
} from '../acquiring.ports';
import { track2Field } from '../card/track2.parser';
import { numericCurrency } from './iso4217';

export interface HostLinkIssuerOptions {
  /** The reversal's own transmission time (field 7). Default: the system clock. */
  readonly now?: () => Date;
  /** Field 25; default '00' (normal presentment: cardholder and card present). */
  readonly posConditionCode?: string;
}

/** Field 3: goods and services (00), default accounts. */
const PURCHASE = { transactionType: '00', fromAccount: '00', toAccount: '00' } as const;
/** Field 22: PAN entered from the chip (05), terminal can accept online PINs (1). */
const CHIP_WITH_PIN = { panEntryMode: '05', pinEntryCapability: '1' } as const;
/** Field 90's institution ids: this link has no acquirer or forwarder ids (field 32/33 not sent). */
const NO_INSTITUTION = '00000000000';
/**
 * Reversal answers that mean the host did not process the reversal (issuer
 * or switch inoperative, system malfunction): the reversal stays pending
 * and is repeated. Every other answer settles it, 00 and also 25 (the host
 * never saw the original: nothing to reverse).
 */
const NOT_PROCESSED = new Set(['91', '96']);
/** Field 52: a TDES PIN block (ISO 9564 format 0 or 3) or an AES one (format 4). */
const PIN_BLOCK_LENGTHS = new Set([8, 16]);
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

/**
 * The issuer host behind the acquirer host link (ISO 8583:1987,
 * ACQUIRER_SPEC, docs/iso8583.md). Each call is one request on the link
 * with the caller's deadline as its timeout; the link never retries, so an
 * unanswered request is reported as `no_answer` and the caller reverses.
 *
 * Field 7 of an authorization is the terminal's local date and time
 * (MMDDhhmmss), not the moment of sending: the issuer identifies a request
 * by terminal, STAN and field 7, and a reversal's field 90 must repeat them.
 * Taking field 7 from the terminal's local time makes it reproducible from
 * what the payment recorded (`IssuerReversal.originalLocalTime`) with no
 * other state, and makes a resend of the same authorization a duplicate
 * (94) at the issuer rather than a second charge.
 */
export class HostLinkIssuer implements IssuerPort {
  private readonly now: () => Date;
  private readonly posConditionCode: string;

  constructor(
    private readonly link: HostLink,
    options: HostLinkIssuerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.posConditionCode = options.posConditionCode ?? '00';
  }

  async authorize(request: IssuerAuthorization, deadlineMs: number): Promise<IssuerAnswer> {
    const message = authorizationMessage(request, this.posConditionCode);
    let response: IsoMessage;
    try {
      response = await this.link.request(message, { timeoutMs: checkedDeadline(deadlineMs) });
    } catch (error) {
      if (error instanceof HostLinkError) return { outcome: 'no_answer', reason: error.code };
      throw error;
    }
    const iccData = response.fields[55];
    return {
      outcome: 'answered',
      responseCode: text(response, 39) ?? '',
      authCode: (text(response, 38) ?? '').trim(),
      rrn: text(response, 37) ?? request.rrn,
      issuerData: Array.isArray(iccData)
        ? Buffer.from(encodeTlv(iccData as readonly TlvNode[]))
        : Buffer.alloc(0),
    };
  }

  async reverse(
    reversal: IssuerReversal,
    repeat: boolean,
    deadlineMs: number,
  ): Promise<ReversalAnswer> {
    const message = reversalMessage(reversal, repeat, this.now(), this.posConditionCode);
    let response: IsoMessage;
    try {
      response = await this.link.request(message, { timeoutMs: checkedDeadline(deadlineMs) });
    } catch (error) {
      if (error instanceof HostLinkError) return { outcome: 'no_answer', reason: error.code };
      throw error;
    }
    const responseCode = text(response, 39) ?? '';
    return NOT_PROCESSED.has(responseCode)
      ? { outcome: 'no_answer', reason: `issuer answered ${responseCode}` }
      : { outcome: 'acknowledged', responseCode };
  }
}

/** The 0200 (sale) or 0100 (pre-authorization). Card data only here, in memory, for the wire. */
export function authorizationMessage(
  request: IssuerAuthorization,
  posConditionCode = '00',
): IsoMessage {
  const { card, terminal } = request;
  const local = localTimeFields(request.localTime);
  const fields: Record<number, FieldValue> = {
    2: card.pan.reveal(),
    3: PURCHASE,
    4: amountField(request.amountMinor),
    7: local.transmission,
    11: stanField(request.stan),
    12: local.time,
    13: local.date,
    14: card.expiry,
    22: CHIP_WITH_PIN,
    25: posConditionCode,
    35: track2Field(card.track2.expose().toString('ascii')),
    37: request.rrn,
    41: terminal.terminalId,
    42: terminal.cardAcceptorId.padEnd(15, ' '),
    49: currencyField(request.currency),
    55: card.iccData,
  };
  if (card.panSequenceNumber !== undefined) fields[23] = card.panSequenceNumber.padStart(3, '0');
  if (card.zonePinBlock) fields[52] = pinBlockField(card.zonePinBlock.expose());
  return { mti: request.kind === 'sale' ? '0200' : '0100', fields };
}

/** The 0400, or its repeat 0401: the original's data elements, no card data. */
export function reversalMessage(
  reversal: IssuerReversal,
  repeat: boolean,
  at: Date,
  posConditionCode = '00',
): IsoMessage {
  const local = localTimeFields(reversal.originalLocalTime);
  const stan = stanField(reversal.originalStan);
  return {
    mti: repeat ? '0401' : '0400',
    fields: {
      3: PURCHASE,
      4: amountField(reversal.amountMinor),
      7: transmissionDateTime(at),
      // The reversal travels under the original's STAN (its repeats too), the usual acquirer practice.
      11: stan,
      12: local.time,
      13: local.date,
      22: CHIP_WITH_PIN,
      25: posConditionCode,
      37: reversal.rrn,
      39: reversal.reasonCode,
      41: reversal.terminalId,
      42: reversal.cardAcceptorId.padEnd(15, ' '),
      49: currencyField(reversal.currency),
      90: {
        originalMti: reversal.originalMti,
        originalStan: stan,
        originalTransmissionDateTime: local.transmission,
        originalAcquirerId: NO_INSTITUTION,
        originalForwarderId: NO_INSTITUTION,
      },
    },
  };
}

/**
 * Field 52 is a binary LLVAR of 8 or 16 bytes (docs/iso8583.md, "Field 52"),
 * and its length tells the issuer the zone key: 8 bytes a TDES block
 * (format 0 or 3), 16 bytes an ISO 9564 format 4 block under the AES zone
 * key, where the PINs of AES DUKPT terminals go. Any other length is a
 * translation fault: refuse it before anything is sent.
 */
function pinBlockField(pinBlock: Buffer): Buffer {
  if (!PIN_BLOCK_LENGTHS.has(pinBlock.length)) {
    throw new RangeError(
      `field 52 carries an 8-byte (TDES) or 16-byte (AES, format 4) PIN block, not ${pinBlock.length} bytes`,
    );
  }
  return pinBlock;
}

function localTimeFields(localTime: string): { transmission: string; time: string; date: string } {
  const m = LOCAL_TIME.exec(localTime);
  if (!m) throw new RangeError('local time must be YYYY-MM-DDThh:mm:ss');
  const [, , month, day, hh, mm, ss] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    transmission: `${month}${day}${hh}${mm}${ss}`,
    time: `${hh}${mm}${ss}`,
    date: `${month}${day}`,
  };
}

function amountField(amountMinor: bigint): string {
  if (amountMinor <= 0n || amountMinor > 999_999_999_999n)
    throw new RangeError('the amount must be 1 to 999999999999 minor units (field 4)');
  return amountMinor.toString().padStart(12, '0');
}

function stanField(stan: number): string {
  if (!Number.isInteger(stan) || stan < 1 || stan > 999_999)
    throw new RangeError('the STAN must be 1 to 999999 (field 11)');
  return String(stan).padStart(6, '0');
}

function currencyField(currency: string): string {
  const numeric = numericCurrency(currency);
  if (!numeric) throw new RangeError(`currency ${currency} has no ISO 4217 numeric code here`);
  return numeric;
}

function checkedDeadline(deadlineMs: number): number {
  if (!Number.isFinite(deadlineMs) || deadlineMs <= 0)
    throw new RangeError('the deadline must be a positive number of milliseconds');
  return deadlineMs;
}

function text(message: IsoMessage, field: number): string | undefined {
  const value = message.fields[field];
  return typeof value === 'string' ? value : undefined;
}
