/**
 * The PAN token as events carry it: the key store's lower-case hex HMAC,
 * in groups of 8 joined by '-'. A bare 64-digit hex string holds a run of
 * 13+ decimal digits that passes the Luhn check in about 0.4 % of tokens,
 * and the event store's card-data guard refuses those as PAN-like (fail
 * closed): that would refuse 4 payments in 1,000. Grouping keeps every digit
 * run at 8 or fewer; `fromEventPanToken` gives the key store's form back.
 */
export function toEventPanToken(token: string): string {
  if (!/^[0-9a-f]+$/.test(token)) return token;
  return token.match(/.{1,8}/g)?.join('-') ?? token;
}

export function fromEventPanToken(eventToken: string): string {
  return /^[0-9a-f]{1,8}(-[0-9a-f]{1,8})*$/.test(eventToken)
    ? eventToken.replace(/-/g, '')
    : eventToken;
}
