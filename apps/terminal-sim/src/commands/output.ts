import { cardInsertV1 } from '@tillgate/contracts';
import { formatAmount, type PaymentResult } from '@tillgate/terminal-sim';
import type { CliIo } from '../cli-io';

const hex = (bytes: Uint8Array | undefined) =>
  bytes ? Buffer.from(bytes).toString('hex').toUpperCase() : '';

/** PAYMENT_STATUS_CAPTURED -> CAPTURED. */
export function statusName(status: cardInsertV1.PaymentStatus | undefined): string {
  if (status === undefined) return '';
  return (cardInsertV1.PaymentStatus[status] ?? String(status)).replace(/^PAYMENT_STATUS_/, '');
}

const OUTCOME_TEXT: Record<PaymentResult['outcome'], string> = {
  approved: 'APPROVED',
  declined: 'DECLINED',
  'card-declined': 'DECLINED BY CARD (AAC after online approval: the gateway reverses)',
  'declined-offline': 'DECLINED OFFLINE (AAC in the first GENERATE AC)',
};

/** What a payment printed: the receipt, then the outcome. Never the PAN, track 2 or PIN. */
export function paymentSummary(result: PaymentResult) {
  return {
    outcome: result.outcome,
    paymentId: result.paymentId,
    status: statusName(result.status),
    responseCode: result.responseCode,
    authCode: result.authCode,
    rrn: result.rrn,
    maskedPan: result.maskedPan,
    emv: {
      aid: hex(result.emv.aid),
      applicationLabel: result.emv.applicationLabel,
      oda: result.emv.oda,
      cvm: result.emv.cvm.outcome === 'performed' ? result.emv.cvm.method : 'failed',
      tvr: hex(result.emv.tvr),
      firstAc: result.emv.ac.type,
      secondAc: result.secondAc?.decision,
      arpc: result.secondAc?.issuerAuthentication
        ? result.secondAc.issuerAuthentication.valid
          ? 'valid'
          : 'invalid'
        : 'absent',
      tsi: hex(result.secondAc?.tsi ?? result.emv.tsi),
    },
    receipt: result.receipt,
  };
}

export function printPayment(io: CliIo, json: boolean | undefined, result: PaymentResult): void {
  const summary = paymentSummary(result);
  if (json) {
    io.stdout(`${JSON.stringify(summary)}\n`);
    return;
  }
  if (result.receipt) io.stdout(`${result.receipt}\n${'-'.repeat(32)}\n`);
  const code = result.responseCode ? ` ${result.responseCode}` : '';
  io.stdout(
    `${OUTCOME_TEXT[result.outcome]}${result.outcome === 'declined' ? code : ''}` +
      (summary.paymentId ? `  payment ${summary.paymentId}` : '') +
      '\n',
  );
  if (summary.responseCode !== undefined) {
    io.stdout(
      `response ${summary.responseCode}  auth ${summary.authCode || '-'}  rrn ${summary.rrn || '-'}  status ${summary.status}\n`,
    );
  }
  const e = summary.emv;
  io.stdout(`card     ${summary.maskedPan ?? '-'}  ${e.applicationLabel}  AID ${e.aid}\n`);
  io.stdout(
    `emv      ODA ${e.oda.method} ${e.oda.ok ? 'ok' : `failed${e.oda.reason ? ` (${e.oda.reason})` : ''}`}` +
      `  CVM ${e.cvm}  TVR ${e.tvr}  TSI ${e.tsi}  ${e.firstAc}${e.secondAc ? ` -> ${e.secondAc}` : ''}  ARPC ${e.arpc}\n`,
  );
}

/** The answer to capture, void, refund, reverse, batch close or a retransmission. */
export function followUpSummary(operation: string, response: Record<string, unknown>) {
  const money = (m: unknown) => {
    const value = m as cardInsertV1.Money | undefined;
    return value
      ? `${formatAmount(value.amountMinor, value.currency)} ${value.currency}`
      : undefined;
  };
  const r = response as {
    paymentId?: string;
    status?: cardInsertV1.PaymentStatus;
    receipt?: cardInsertV1.Receipt;
    captured?: cardInsertV1.Money;
    refunded?: cardInsertV1.Money;
    refundable?: cardInsertV1.Money;
    refundId?: string;
    responseCode?: string;
    batchNumber?: number;
    terminalId?: string;
    totals?: cardInsertV1.BatchTotals[];
  };
  return {
    operation,
    paymentId: r.paymentId,
    status: statusName(r.status),
    responseCode: r.responseCode,
    captured: money(r.captured),
    refundId: r.refundId,
    refunded: money(r.refunded),
    refundable: money(r.refundable),
    batchNumber: r.batchNumber,
    totals: r.totals?.map((t) => ({
      currency: t.currency,
      sales: `${t.saleCount} / ${formatAmount(t.saleAmountMinor, t.currency)}`,
      refunds: `${t.refundCount} / ${formatAmount(t.refundAmountMinor, t.currency)}`,
      voids: `${t.voidCount} / ${formatAmount(t.voidAmountMinor, t.currency)}`,
      net: formatAmount(t.netAmountMinor, t.currency),
    })),
    receipt: r.receipt?.text,
  };
}

export function printFollowUp(
  io: CliIo,
  json: boolean | undefined,
  operation: string,
  response: Record<string, unknown>,
): void {
  const summary = followUpSummary(operation, response);
  if (json) {
    io.stdout(`${JSON.stringify(summary)}\n`);
    return;
  }
  if (summary.receipt) io.stdout(`${summary.receipt}\n${'-'.repeat(32)}\n`);
  const parts = [
    `${operation.toUpperCase()} ${summary.status || 'OK'}`,
    summary.paymentId && `payment ${summary.paymentId}`,
    summary.responseCode && `response ${summary.responseCode}`,
    summary.captured && `captured ${summary.captured}`,
    summary.refunded && `refunded ${summary.refunded}`,
    summary.refundable && `refundable ${summary.refundable}`,
    summary.batchNumber !== undefined && `batch ${summary.batchNumber}`,
  ].filter(Boolean);
  io.stdout(`${parts.join('  ')}\n`);
  for (const t of summary.totals ?? []) {
    io.stdout(
      `${t.currency}  sales ${t.sales}  refunds ${t.refunds}  voids ${t.voids}  net ${t.net}\n`,
    );
  }
}
