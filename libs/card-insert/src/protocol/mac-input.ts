import { cardInsertV1 } from '@tillgate/contracts';

/**
 * The bytes a terminal MACs for a request, and the gateway for its response.
 *
 * Protobuf encodings are not canonical (field order, unknown fields and
 * default values may differ between encoders), so the MAC is not taken over
 * the wire bytes. It is taken over a canonical MAC input instead, built the
 * same way by both sides:
 *
 *   "TGMAC1" | direction | operation | field* (in the order listed below)
 *
 * where `direction` and `operation` are ASCII strings and every item,
 * including them, is a 2-byte big-endian length followed by its bytes.
 * Numbers are their decimal ASCII form; enums their numeric value in
 * decimal; bytes fields are used as they are; absent messages count as
 * empty fields. The MAC itself (`authentication.mac`) is never part of the
 * input, but the KSN and DUKPT scheme are, so a MAC cannot be replayed under
 * another key. docs/card-insert.md lists the fields per operation.
 */

const MAGIC = Buffer.from('TGMAC1', 'ascii');
const MAX_ITEM = 0xffff;

type Item = string | number | bigint | Uint8Array | undefined;

export type MacDirection = 'request' | 'response';

export type CardInsertOperation =
  'Authorize' | 'Complete' | 'Capture' | 'Void' | 'Refund' | 'Reverse' | 'CloseBatch';

function itemBytes(item: Item): Buffer {
  if (item === undefined) return Buffer.alloc(0);
  if (typeof item === 'string') return Buffer.from(item, 'utf8');
  if (typeof item === 'number' || typeof item === 'bigint')
    return Buffer.from(String(item), 'ascii');
  return Buffer.from(item.buffer, item.byteOffset, item.byteLength);
}

function encode(
  direction: MacDirection,
  operation: CardInsertOperation,
  items: readonly Item[],
): Buffer {
  const parts: Buffer[] = [MAGIC];
  for (const item of [direction, operation, ...items]) {
    const bytes = itemBytes(item);
    if (bytes.length > MAX_ITEM)
      throw new RangeError(`a MAC input item is longer than ${MAX_ITEM} bytes`);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}

const header = (h: cardInsertV1.TerminalRequestHeader | undefined): Item[] => [
  h?.terminalId,
  h?.stan,
  h?.localTime,
  h?.clientRequestId,
];
const money = (m: cardInsertV1.Money | undefined): Item[] => [m?.amountMinor, m?.currency];
const keyOf = (a: cardInsertV1.MessageAuthentication | undefined): Item[] => [a?.scheme, a?.ksn];
const receipt = (r: cardInsertV1.Receipt | undefined): Item[] => [r?.text];

/** The requests a terminal MACs, by operation. */
export interface CardInsertRequests {
  Authorize: cardInsertV1.AuthorizeRequest;
  Complete: cardInsertV1.CompleteRequest;
  Capture: cardInsertV1.CaptureRequest;
  Void: cardInsertV1.VoidRequest;
  Refund: cardInsertV1.RefundRequest;
  Reverse: cardInsertV1.ReverseRequest;
  CloseBatch: cardInsertV1.CloseBatchRequest;
}

/** The responses the gateway MACs, by operation. */
export interface CardInsertResponses {
  Authorize: cardInsertV1.AuthorizeResponse;
  Complete: cardInsertV1.CompleteResponse;
  Capture: cardInsertV1.CaptureResponse;
  Void: cardInsertV1.VoidResponse;
  Refund: cardInsertV1.RefundResponse;
  Reverse: cardInsertV1.ReverseResponse;
  CloseBatch: cardInsertV1.CloseBatchResponse;
}

const REQUEST_FIELDS: { [K in CardInsertOperation]: (r: CardInsertRequests[K]) => Item[] } = {
  Authorize: (r) => [
    ...header(r.header),
    r.kind,
    ...money(r.amount),
    r.card?.iccData,
    r.card?.encryptedTrack2,
    r.card?.encryptedPinBlock,
    ...keyOf(r.authentication),
  ],
  Complete: (r) => [
    ...header(r.header),
    r.paymentId,
    r.cardDecision,
    r.iccData,
    ...keyOf(r.authentication),
  ],
  Capture: (r) => [
    ...header(r.header),
    r.paymentId,
    ...money(r.amount),
    ...keyOf(r.authentication),
  ],
  Void: (r) => [...header(r.header), r.paymentId, ...keyOf(r.authentication)],
  Refund: (r) => [...header(r.header), r.paymentId, ...money(r.amount), ...keyOf(r.authentication)],
  Reverse: (r) => [...header(r.header), r.paymentId, ...keyOf(r.authentication)],
  CloseBatch: (r) => [...header(r.header), ...keyOf(r.authentication)],
};

const totals = (t: readonly cardInsertV1.BatchTotals[]): Item[] =>
  t.flatMap((x) => [
    x.currency,
    x.saleCount,
    x.saleAmountMinor,
    x.refundCount,
    x.refundAmountMinor,
    x.voidCount,
    x.voidAmountMinor,
    x.netAmountMinor,
  ]);

const RESPONSE_FIELDS: { [K in CardInsertOperation]: (r: CardInsertResponses[K]) => Item[] } = {
  Authorize: (r) => [
    r.paymentId,
    r.status,
    r.responseCode,
    r.authCode,
    r.issuerData,
    r.maskedPan,
    r.rrn,
    ...receipt(r.receipt),
    ...keyOf(r.authentication),
  ],
  Complete: (r) => [r.paymentId, r.status, ...receipt(r.receipt), ...keyOf(r.authentication)],
  Capture: (r) => [
    r.paymentId,
    r.status,
    ...money(r.captured),
    ...receipt(r.receipt),
    ...keyOf(r.authentication),
  ],
  Void: (r) => [r.paymentId, r.status, ...receipt(r.receipt), ...keyOf(r.authentication)],
  Refund: (r) => [
    r.paymentId,
    r.status,
    r.refundId,
    ...money(r.refunded),
    ...money(r.refundable),
    ...receipt(r.receipt),
    ...keyOf(r.authentication),
  ],
  Reverse: (r) => [r.paymentId, r.status, ...keyOf(r.authentication)],
  CloseBatch: (r) => [
    r.terminalId,
    r.batchNumber,
    r.totals.length,
    ...totals(r.totals),
    ...receipt(r.receipt),
    ...keyOf(r.authentication),
  ],
};

/** The MAC input of a terminal's request. */
export function requestMacInput<K extends CardInsertOperation>(
  operation: K,
  request: CardInsertRequests[K],
): Buffer {
  return encode('request', operation, REQUEST_FIELDS[operation](request));
}

/** The MAC input of the gateway's response. */
export function responseMacInput<K extends CardInsertOperation>(
  operation: K,
  response: CardInsertResponses[K],
): Buffer {
  return encode('response', operation, RESPONSE_FIELDS[operation](response));
}
