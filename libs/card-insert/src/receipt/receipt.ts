/**
 * The terminal's receipt: plain text, 32 columns (the width of a 58 mm
 * thermal printer), lines separated by "\n". Only the masked PAN is ever
 * printed.
 */
export const RECEIPT_WIDTH = 32;

// ISO 4217 minor units that are not 2.
const MINOR_UNITS: Record<string, number> = {
  JPY: 0,
  KRW: 0,
  ISK: 0,
  CLP: 0,
  VND: 0,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  JOD: 3,
  TND: 3,
  IQD: 3,
  LYD: 3,
};

export function formatAmount(amountMinor: bigint, currency: string): string {
  const digits = MINOR_UNITS[currency] ?? 2;
  const negative = amountMinor < 0n;
  const abs = (negative ? -amountMinor : amountMinor).toString().padStart(digits + 1, '0');
  const units = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  return `${negative ? '-' : ''}${currency} ${units}`;
}

const clip = (text: string) => text.slice(0, RECEIPT_WIDTH);
const center = (text: string) => {
  const t = clip(text);
  return ' '.repeat(Math.floor((RECEIPT_WIDTH - t.length) / 2)) + t;
};
/** Label left, value right; a value too long for the line goes on its own line, right-aligned. */
const pair = (label: string, value: string): string[] => {
  const room = RECEIPT_WIDTH - label.length - 1;
  if (value.length <= room)
    return [label + ' '.repeat(RECEIPT_WIDTH - label.length - value.length) + value];
  return [clip(label), clip(value).padStart(RECEIPT_WIDTH)];
};
const rule = '-'.repeat(RECEIPT_WIDTH);

export interface ReceiptHeader {
  merchantName: string;
  merchantCity: string;
  terminalId: string;
  /** Terminal local time, `YYYY-MM-DDThh:mm:ss`. */
  localTime: string;
}

export interface PaymentReceiptInput extends ReceiptHeader {
  /** SALE, PRE-AUTHORIZATION, CAPTURE, VOID, REFUND... */
  title: string;
  maskedPan: string;
  scheme: string;
  amountMinor: bigint;
  currency: string;
  authCode: string;
  responseCode: string;
  /** APPROVED, DECLINED... */
  result: string;
  rrn: string;
  paymentId: string;
}

function header(h: ReceiptHeader, title: string): string[] {
  return [
    center(h.merchantName.toUpperCase()),
    center(h.merchantCity.toUpperCase()),
    rule,
    ...pair('TERMINAL', h.terminalId),
    ...pair('DATE', h.localTime.replace('T', ' ')),
    rule,
    center(title),
  ];
}

export function paymentReceipt(input: PaymentReceiptInput): string {
  return [
    ...header(input, input.title),
    ...pair('CARD', input.maskedPan),
    ...pair('SCHEME', input.scheme.toUpperCase()),
    ...pair('AMOUNT', formatAmount(input.amountMinor, input.currency)),
    ...pair('AUTH CODE', input.authCode || '-'),
    ...pair('RESPONSE', `${input.responseCode} ${input.result}`),
    ...pair('RRN', input.rrn),
    ...pair('REF', input.paymentId.slice(0, 8).toUpperCase()),
    rule,
    center(input.result),
  ].join('\n');
}

export interface BatchReceiptTotals {
  currency: string;
  saleCount: number;
  saleAmountMinor: bigint;
  refundCount: number;
  refundAmountMinor: bigint;
  voidCount: number;
  voidAmountMinor: bigint;
}

export function batchReceipt(
  h: ReceiptHeader,
  batchNumber: number,
  totals: readonly BatchReceiptTotals[],
): string {
  const lines = header(h, `BATCH ${batchNumber} CLOSED`);
  if (totals.length === 0) lines.push(center('NO TRANSACTIONS'));
  for (const t of totals) {
    lines.push(
      rule,
      ...pair(`SALES ${t.saleCount}`, formatAmount(t.saleAmountMinor, t.currency)),
      ...pair(`REFUNDS ${t.refundCount}`, formatAmount(t.refundAmountMinor, t.currency)),
      ...pair(`VOIDS ${t.voidCount}`, formatAmount(t.voidAmountMinor, t.currency)),
      ...pair('NET', formatAmount(t.saleAmountMinor - t.refundAmountMinor, t.currency)),
    );
  }
  lines.push(rule);
  return lines.join('\n');
}
