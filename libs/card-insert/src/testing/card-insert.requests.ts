import { cardInsertV1 } from '@tillgate/contracts';
import { signRequest } from './card-insert.fakes';

let ksnCounter = 0;

/** A fresh KSN (10 bytes, TDES layout): its counter rises with every call, as a real PIN pad's does. */
export function nextKsn(): Uint8Array {
  ksnCounter += 1;
  const ksn = Buffer.alloc(10);
  ksn.writeUInt32BE(ksnCounter, 6);
  return ksn;
}

const auth = (): cardInsertV1.MessageAuthentication => ({
  scheme: cardInsertV1.DukptScheme.DUKPT_SCHEME_TDES,
  ksn: nextKsn(),
  mac: new Uint8Array(),
});

export function aHeader(
  overrides: Partial<cardInsertV1.TerminalRequestHeader> = {},
): cardInsertV1.TerminalRequestHeader {
  return {
    terminalId: 'TERM0001',
    stan: 1,
    localTime: '2026-11-25T14:00:00',
    clientRequestId: 'req-1',
    ...overrides,
  };
}

/** A signed Authorize; `unsigned` skips the MAC so a test can break a field and sign after. */
export function anAuthorizeRequest(
  overrides: Partial<cardInsertV1.AuthorizeRequest> = {},
): cardInsertV1.AuthorizeRequest {
  return signRequest('Authorize', {
    header: aHeader(),
    kind: cardInsertV1.AuthorizationKind.AUTHORIZATION_KIND_SALE,
    amount: { amountMinor: '12345', currency: 'EUR' },
    card: {
      iccData: Buffer.from('9f2608a1b2c3d4e5f60718', 'hex'),
      encryptedTrack2: Buffer.from('enc-track2', 'latin1'),
      encryptedPinBlock: Buffer.alloc(8, 0x22),
    },
    authentication: auth(),
    ...overrides,
  });
}

export function aCompleteRequest(
  paymentId: string,
  decision: cardInsertV1.CardDecision,
  header: Partial<cardInsertV1.TerminalRequestHeader> = {},
): cardInsertV1.CompleteRequest {
  return signRequest('Complete', {
    header: aHeader({ clientRequestId: `complete-${paymentId.slice(0, 8)}`, ...header }),
    paymentId,
    cardDecision: decision,
    iccData: Buffer.from('9f2608a1b2c3d4e5f60718', 'hex'),
    authentication: auth(),
  });
}

export function aCaptureRequest(
  paymentId: string,
  amountMinor: string,
  header: Partial<cardInsertV1.TerminalRequestHeader> = {},
) {
  return signRequest('Capture', {
    header: aHeader({ clientRequestId: `capture-${amountMinor}`, ...header }),
    paymentId,
    amount: { amountMinor, currency: 'EUR' },
    authentication: auth(),
  });
}

export function aVoidRequest(
  paymentId: string,
  header: Partial<cardInsertV1.TerminalRequestHeader> = {},
) {
  return signRequest('Void', {
    header: aHeader({ clientRequestId: 'void-1', ...header }),
    paymentId,
    authentication: auth(),
  });
}

export function aRefundRequest(
  paymentId: string,
  amountMinor: string,
  header: Partial<cardInsertV1.TerminalRequestHeader> = {},
) {
  return signRequest('Refund', {
    header: aHeader({ clientRequestId: `refund-${amountMinor}`, ...header }),
    paymentId,
    amount: { amountMinor, currency: 'EUR' },
    authentication: auth(),
  });
}

export function aReverseRequest(
  paymentId: string,
  header: Partial<cardInsertV1.TerminalRequestHeader> = {},
) {
  return signRequest('Reverse', {
    header: aHeader({ clientRequestId: 'reverse-1', ...header }),
    paymentId,
    authentication: auth(),
  });
}

export function aCloseBatchRequest(header: Partial<cardInsertV1.TerminalRequestHeader> = {}) {
  return signRequest('CloseBatch', {
    header: aHeader({ clientRequestId: 'close-1', ...header }),
    authentication: auth(),
  });
}
