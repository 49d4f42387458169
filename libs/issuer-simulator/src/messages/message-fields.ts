import { ACQUIRER_MESSAGES, type FieldValue, type IsoMessage } from '@tillgate/iso8583';
import type { ResponseCode } from './response-code';

/** A text field's value, or undefined when absent or not text. */
export function text(message: IsoMessage, field: number): string | undefined {
  const value = message.fields[field];
  return typeof value === 'string' ? value : undefined;
}

/** A composite field's subfield. */
export function subfield(message: IsoMessage, field: number, id: string): string | undefined {
  const value = message.fields[field];
  if (typeof value !== 'object' || value instanceof Uint8Array || Array.isArray(value))
    return undefined;
  const sub = (value as Record<string, unknown>)[id];
  return typeof sub === 'string' ? sub : undefined;
}

/** Card data never echoed in a response, nor the MAC of the request. */
const NOT_ECHOED = new Set([2, 35, 52, 55, 64, 128]);

/** 0100 -> 0110, 0420 -> 0430, 0800 -> 0810. */
export const responseMtiOf = (mti: string): string =>
  `${mti.slice(0, 2)}${Number(mti[2]) + 1}${mti[3] === '1' ? '0' : mti[3]}`;

/**
 * The response to `request`: every request field the response may carry
 * (per ACQUIRER_SPEC's message rules) except card data and MACs, then
 * field 39 and `extra` (38, 55...).
 */
export function responseTo(
  request: IsoMessage,
  responseCode: ResponseCode,
  extra: Readonly<Record<number, FieldValue>> = {},
): IsoMessage {
  const mti = responseMtiOf(request.mti);
  const echoed = echoedFieldsOf(mti);
  const fields: Record<number, FieldValue> = {};
  for (const [n, value] of Object.entries(request.fields)) {
    const field = Number(n);
    if (echoed.has(field)) fields[field] = value;
  }
  return { mti, fields: { ...fields, 39: responseCode, ...extra } };
}

const ECHOED_BY_MTI = new Map<string, ReadonlySet<number>>();

/** The request fields a response of `mti` echoes: those its rule allows, less {@link NOT_ECHOED}. */
function echoedFieldsOf(mti: string): ReadonlySet<number> {
  let echoed = ECHOED_BY_MTI.get(mti);
  if (!echoed) {
    const rule = ACQUIRER_MESSAGES[mti];
    echoed = new Set(
      [...(rule?.mandatory ?? []), ...(rule?.optional ?? [])].filter((n) => !NOT_ECHOED.has(n)),
    );
    ECHOED_BY_MTI.set(mti, echoed);
  }
  return echoed;
}
