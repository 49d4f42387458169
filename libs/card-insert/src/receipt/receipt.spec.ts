import { batchReceipt, formatAmount, paymentReceipt, RECEIPT_WIDTH } from './receipt';

describe('receipts', () => {
  const header = {
    merchantName: 'Corner Grocery',
    merchantCity: 'Stockholm',
    terminalId: 'TERM0001',
    localTime: '2026-11-25T14:00:00',
  };

  it('formats amounts in the currency minor units', () => {
    expect(formatAmount(12345n, 'EUR')).toBe('EUR 123.45');
    expect(formatAmount(5n, 'EUR')).toBe('EUR 0.05');
    expect(formatAmount(1200n, 'JPY')).toBe('JPY 1200');
    expect(formatAmount(1234n, 'KWD')).toBe('KWD 1.234');
    expect(formatAmount(-100n, 'SEK')).toBe('-SEK 1.00');
  });

  it('prints a payment in 32 columns with what the cardholder needs and the masked PAN only', () => {
    const text = paymentReceipt({
      ...header,
      title: 'SALE',
      maskedPan: '476173******0119',
      scheme: 'visa',
      amountMinor: 12345n,
      currency: 'EUR',
      authCode: 'A1B2C3',
      responseCode: '00',
      result: 'APPROVED',
      rrn: '0A1B2C3D4E5F',
      paymentId: '0b6c1e9a-5d2f-8a41-9c3e-7f1a2b3c4d5e',
    });
    const lines = text.split('\n');
    expect(lines.every((l) => l.length <= RECEIPT_WIDTH)).toBe(true);
    expect(lines[0].trim()).toBe('CORNER GROCERY');
    expect(lines[1].trim()).toBe('STOCKHOLM');
    for (const expected of [
      'TERMINAL                TERM0001',
      'DATE         2026-11-25 14:00:00',
      'CARD            476173******0119',
      'SCHEME                      VISA',
      'AMOUNT                EUR 123.45',
      'AUTH CODE                 A1B2C3',
      'RESPONSE             00 APPROVED',
      'RRN                 0A1B2C3D4E5F',
    ])
      expect(lines).toContain(expected);
  });

  it('prints batch totals per currency with the net', () => {
    const text = batchReceipt(header, 7, [
      {
        currency: 'EUR',
        saleCount: 2,
        saleAmountMinor: 3500n,
        refundCount: 1,
        refundAmountMinor: 500n,
        voidCount: 1,
        voidAmountMinor: 700n,
      },
    ]);
    const lines = text.split('\n');
    expect(lines.every((l) => l.length <= RECEIPT_WIDTH)).toBe(true);
    expect(lines).toContain('SALES 2'.padEnd(23) + 'EUR 35.00');
    expect(lines).toContain('NET'.padEnd(23) + 'EUR 30.00');
    expect(text).toContain('BATCH 7 CLOSED');
    expect(batchReceipt(header, 8, [])).toContain('NO TRANSACTIONS');
  });
});
