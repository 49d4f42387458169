/**
 * ISO 4217 alphabetic to numeric codes (ISO 8583 field 49 is numeric), for
 * the currencies a terminal may be enrolled in. A currency outside this
 * table cannot be configured: the terminal directory refuses it at start-up.
 */
export const ISO_4217_NUMERIC: Readonly<Record<string, string>> = Object.freeze({
  AED: '784',
  AUD: '036',
  BRL: '986',
  CAD: '124',
  CHF: '756',
  CNY: '156',
  CZK: '203',
  DKK: '208',
  EUR: '978',
  GBP: '826',
  HKD: '344',
  HUF: '348',
  IDR: '360',
  ILS: '376',
  INR: '356',
  JPY: '392',
  KRW: '410',
  MXN: '484',
  MYR: '458',
  NOK: '578',
  NZD: '554',
  PHP: '608',
  PLN: '985',
  RON: '946',
  SAR: '682',
  SEK: '752',
  SGD: '702',
  THB: '764',
  TRY: '949',
  TWD: '901',
  USD: '840',
  ZAR: '710',
});

export function numericCurrency(alphabetic: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(ISO_4217_NUMERIC, alphabetic)
    ? ISO_4217_NUMERIC[alphabetic]
    : undefined;
}
