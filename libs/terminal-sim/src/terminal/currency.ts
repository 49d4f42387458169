/** The ISO 4217 currencies the terminal is set up for: numeric code and minor unit digits. */
export const CURRENCIES = {
  CNY: { numeric: '156', exponent: 2 },
  EUR: { numeric: '978', exponent: 2 },
  USD: { numeric: '840', exponent: 2 },
  GBP: { numeric: '826', exponent: 2 },
  SEK: { numeric: '752', exponent: 2 },
  CHF: { numeric: '756', exponent: 2 },
  JPY: { numeric: '392', exponent: 0 },
} as const;

export type CurrencyCode = keyof typeof CURRENCIES;

export class AmountError extends Error {
  override readonly name = 'AmountError';
}

export function currencyOf(code: string): CurrencyCode {
  const upper = code.toUpperCase();
  if (!(upper in CURRENCIES)) {
    throw new AmountError(
      `currency ${code} is not one this terminal accepts (${Object.keys(CURRENCIES).join(', ')})`,
    );
  }
  return upper as CurrencyCode;
}

/** '12.50' EUR to 1250n; refuses more decimals than the currency has, zero and negatives. */
export function parseAmount(text: string, currency: CurrencyCode): bigint {
  const { exponent } = CURRENCIES[currency];
  const match = /^(\d{1,12})(?:\.(\d+))?$/.exec(text.trim());
  if (!match || (match[2] ?? '').length > exponent) {
    throw new AmountError(
      `amount ${text} is not a ${currency} amount (digits${exponent ? `, at most ${exponent} decimals` : ''})`,
    );
  }
  const minor = BigInt(match[1]! + (match[2] ?? '').padEnd(exponent, '0'));
  if (minor <= 0n) throw new AmountError('amount must be above zero');
  return minor;
}

/** 1250n EUR to '12.50'. */
export function formatAmount(minor: bigint | string, currency: string): string {
  const exponent = CURRENCIES[currency as CurrencyCode]?.exponent ?? 2;
  const digits = BigInt(minor)
    .toString()
    .padStart(exponent + 1, '0');
  return exponent ? `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}` : digits;
}
