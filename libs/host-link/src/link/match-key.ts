import type { IsoMessage } from '@tillgate/iso8583';

/** What identifies a request on the link, and what its response must echo. */
export interface RequestIdentity {
  readonly mti: string;
  /** Field 11. */
  readonly stan: string;
  /** Field 41; empty when the message has none (e.g. a link-level 0800). */
  readonly terminalId: string;
}

/**
 * The role of an MTI by its third digit, the message function (ISO 8583:1987
 * §4.1.2): 0 request, 2 advice; 1 and 3 their responses; anything else
 * (notifications, acknowledgements) is neither.
 */
export function mtiRole(mti: string): 'request' | 'response' | 'other' {
  switch (mti[2]) {
    case '0':
    case '2':
      return 'request';
    case '1':
    case '3':
      return 'response';
    default:
      return 'other';
  }
}

/**
 * The MTI class a response shares with its request: version, class, and
 * request (0, 1) or advice (2, 3) family. 0110 answers 0100 and its repeat
 * 0101; 0430 answers 0420 and 0421; 0410 never answers an 0420.
 */
export function mtiClass(mti: string): string {
  return `${mti.slice(0, 2)}${mti[2] === '2' || mti[2] === '3' ? '2' : '0'}`;
}

function textField(message: IsoMessage, field: number): string {
  const value = message.fields[field];
  return typeof value === 'string' ? value : '';
}

export function identityOf(message: IsoMessage): RequestIdentity {
  return { mti: message.mti, stan: textField(message, 11), terminalId: textField(message, 41) };
}

/** The key a request and its response share: MTI class + STAN (11) + terminal id (41). */
export function matchKeyOf(message: IsoMessage): string {
  const { mti, stan, terminalId } = identityOf(message);
  return `${mtiClass(mti)}|${stan}|${terminalId}`;
}
