import type { IsoMessage } from '@tillgate/iso8583';

/** Field 70 codes the link uses (ISO 8583:1987 network management information codes). */
export const NETWORK_MANAGEMENT_CODE = {
  signOn: '001',
  signOff: '002',
  echo: '301',
} as const;

export type NetworkManagementCode =
  (typeof NETWORK_MANAGEMENT_CODE)[keyof typeof NETWORK_MANAGEMENT_CODE];

const two = (n: number): string => String(n).padStart(2, '0');

/** Field 7, transmission date and time: MMDDhhmmss in UTC. */
export function transmissionDateTime(at: Date): string {
  return (
    two(at.getUTCMonth() + 1) +
    two(at.getUTCDate()) +
    two(at.getUTCHours()) +
    two(at.getUTCMinutes()) +
    two(at.getUTCSeconds())
  );
}

/** An 0800 network management request: fields 7, 11 and 70 only. */
export function networkManagementRequest(
  code: NetworkManagementCode,
  stan: string,
  at: Date,
): IsoMessage {
  return { mti: '0800', fields: { 7: transmissionDateTime(at), 11: stan, 70: code } };
}

/** The 0810 answering an 0800: the request's fields (without a MAC) plus field 39. */
export function networkManagementResponse(request: IsoMessage, responseCode: string): IsoMessage {
  const fields = { ...request.fields };
  delete fields[64];
  delete fields[128];
  return { mti: '0810', fields: { ...fields, 39: responseCode } };
}

/** A wrapping 6-digit STAN counter, 000001-999999, for the link's own 0800s. */
export function stanCounter(start = 1): () => string {
  let next = start;
  return () => {
    const stan = String(next).padStart(6, '0');
    next = next >= 999_999 ? 1 : next + 1;
    return stan;
  };
}
