import { numericCurrency } from '@tillgate/card-insert';

/**
 * The ISO 4217 currencies the terminal is set up for, with their minor unit
 * digits; the numeric code (tag 5F2A) is the gateway's table's, so both
 * sides agree.
 */
export const CURRENCIES = {
  CNY: { exponent: 2 },
  EUR: { exponent: 2 },
  USD: { exponent: 2 },
  GBP: { exponent: 2 },
  SEK: { exponent: 2 },
  CHF: { exponent: 2 },
  JPY: { exponent: 0 },
} as const;

/** Tag 5F2A of a currency the terminal accepts. */
export function currencyNumeric(code: CurrencyCode): string {
  const numeric = numericCurrency(code);
  if (!numeric) throw new AmountError(`currency ${code} has no ISO 4217 numeric code here`);
  return numeric;
}

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
