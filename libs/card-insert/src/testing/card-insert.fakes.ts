import { createHmac } from 'node:crypto';
import { cardInsertV1 } from '@tillgate/contracts';
import { Pan, Secret } from '@tillgate/crypto';
import { decodeTlv } from '@tillgate/emv';
import {
  CardInsertRequestRefused,
  type CardDataOpener,
  type IssuerAnswer,
  type IssuerAuthorization,
  type IssuerPort,
  type IssuerReversal,
  type KsnAcceptance,
  authorizeKsnChannels,
  type KsnChannel,
  type OpenedCard,
  type ReversalAnswer,
  type TerminalAuthenticator,
  type TerminalDirectory,
  type TerminalProfile,
} from '../acquiring/acquiring.ports';
import {
  requestMacInput,
  responseMacInput,
  type CardInsertOperation,
  type CardInsertRequests,
  type CardInsertResponses,
} from '../protocol/mac-input';

/**
 * In-memory fakes of the acquiring ports, for unit tests of the service.
 * They model each port's contract (a MAC over the canonical input, a KSN
 * counter that must rise, card data that opens or not, an issuer that
 * answers, stays silent or answers late), not the cryptography: that is the
 * adapters' business and their own tests'.
 */

export function aTerminal(overrides: Partial<TerminalProfile> = {}): TerminalProfile {
  return {
    terminalId: 'TERM0001',
    merchantId: 'merchant-0001',
    merchantName: 'CORNER GROCERY',
    merchantCity: 'STOCKHOLM',
    cardAcceptorId: 'CARDACCEPT00001',
    currency: 'EUR',
    bdk: { id: 'bdk-test' },
    dukptScheme: 'aes128',
    ...overrides,
  };
}

export class FakeTerminalDirectory implements TerminalDirectory {
  private readonly terminals = new Map<string, TerminalProfile>();
  constructor(...terminals: TerminalProfile[]) {
    for (const t of terminals) this.terminals.set(t.terminalId, t);
  }
  async find(terminalId: string): Promise<TerminalProfile | undefined> {
    return this.terminals.get(terminalId);
  }
}

const FAKE_MAC_KEY = 'fake-dukpt-mac-key';

/** The fake MAC: 8 bytes of HMAC-SHA-256 over the canonical MAC input. */
export function fakeMac(input: Buffer): Buffer {
  return createHmac('sha256', FAKE_MAC_KEY).update(input).digest().subarray(0, 8);
}

/** Sets `authentication.mac` of a request the way the fake authenticator checks it. */
export function signRequest<K extends CardInsertOperation>(
  operation: K,
  request: CardInsertRequests[K],
): CardInsertRequests[K] {
  const mac = fakeMac(requestMacInput(operation, request));
  const auth = (request as { authentication?: cardInsertV1.MessageAuthentication }).authentication;
  return {
    ...request,
    authentication: { scheme: auth?.scheme ?? 0, ksn: auth?.ksn ?? new Uint8Array(), mac },
  };
}

export function verifyResponseMac<K extends CardInsertOperation>(
  operation: K,
  response: CardInsertResponses[K],
): boolean {
  const auth = (response as { authentication?: cardInsertV1.MessageAuthentication }).authentication;
  if (!auth) return false;
  return Buffer.from(auth.mac).equals(fakeMac(responseMacInput(operation, response)));
}

export class FakeTerminalAuthenticator implements TerminalAuthenticator {
  private readonly counters = new Map<string, bigint>();

  async verifyMac<K extends CardInsertOperation>(
    _terminal: TerminalProfile,
    operation: K,
    request: CardInsertRequests[K],
  ): Promise<void> {
    const auth = (request as { authentication?: cardInsertV1.MessageAuthentication })
      .authentication;
    if (!auth || auth.ksn.length === 0)
      throw new CardInsertRequestRefused(
        'KSN_MISSING',
        'authentication.ksn',
        'no KSN',
        'INVALID_ARGUMENT',
      );
    const expected = fakeMac(requestMacInput(operation, request));
    if (!Buffer.from(auth.mac).equals(expected))
      throw new CardInsertRequestRefused(
        'MAC_VERIFICATION_FAILED',
        'authentication.mac',
        'the MAC does not verify',
        'UNAUTHENTICATED',
        'mac_verification_failed',
      );
  }

  async acceptKsn(
    terminal: TerminalProfile,
    authentication: cardInsertV1.MessageAuthentication,
    channels: readonly KsnChannel[],
  ): Promise<KsnAcceptance> {
    const counter = BigInt(`0x${Buffer.from(authentication.ksn).toString('hex') || '0'}`);
    const last = this.counters.get(terminal.terminalId) ?? -1n;
    if (counter <= last)
      throw new CardInsertRequestRefused(
        'KSN_REPLAYED',
        'authentication.ksn',
        'the KSN counter does not increase',
        'UNAUTHENTICATED',
        'ksn_replayed',
      );
    this.counters.set(terminal.terminalId, counter);
    return { channels };
  }

  async signResponse<K extends CardInsertOperation>(
    _terminal: TerminalProfile,
    operation: K,
    response: CardInsertResponses[K],
    requestAuthentication: cardInsertV1.MessageAuthentication,
  ): Promise<cardInsertV1.MessageAuthentication> {
    const unsigned = {
      ...response,
      authentication: {
        scheme: requestAuthentication.scheme,
        ksn: requestAuthentication.ksn,
        mac: new Uint8Array(),
      },
    };
    return {
      scheme: requestAuthentication.scheme,
      ksn: requestAuthentication.ksn,
      mac: fakeMac(responseMacInput(operation, unsigned)),
    };
  }
}

/** A Visa test PAN (Luhn-valid); the tests prove it never reaches an event. */
export const TEST_PAN = '4761739001010119';

export class FakeCardDataOpener implements CardDataOpener {
  async open(
    _terminal: TerminalProfile,
    request: cardInsertV1.AuthorizeRequest,
    ksn: KsnAcceptance,
  ): Promise<OpenedCard> {
    const card = request.card;
    // The contract of the ports: card data is opened under a KSN accepted for it.
    const needed = authorizeKsnChannels(request).filter((channel) => channel !== 'mac');
    if (!needed.every((channel) => ksn.channels.includes(channel)))
      throw new Error(`the KSN was not accepted for ${needed.join(' and ')}`);
    if (!card || card.iccData.length === 0 || card.iccData[0] !== 0x9f)
      throw new CardInsertRequestRefused(
        'ICC_DATA_MALFORMED',
        'card.icc_data',
        'not BER-TLV',
        'INVALID_ARGUMENT',
      );
    if (Buffer.from(card.encryptedTrack2).toString('latin1') !== 'enc-track2')
      throw new CardInsertRequestRefused(
        'TRACK2_UNDECRYPTABLE',
        'card.encrypted_track2',
        'track 2 does not decrypt',
        'INVALID_ARGUMENT',
        'card_data_undecryptable',
      );
    const pan = Pan.parse(TEST_PAN);
    return {
      pan,
      track2: new Secret(Buffer.from(`${TEST_PAN}D2812201`, 'ascii')),
      expiry: '2812',
      panToken: 'tok_' + createHmac('sha256', 'tok').update(TEST_PAN).digest('base64url'),
      maskedPan: '476173******0119',
      scheme: 'visa',
      iccData: decodeTlv(card.iccData),
      zonePinBlock: card.encryptedPinBlock.length ? new Secret(Buffer.alloc(8, 0x11)) : undefined,
    };
  }
}

export type IssuerScript = (request: IssuerAuthorization) => IssuerAnswer | Promise<IssuerAnswer>;

export const approve =
  (authCode = 'A1B2C3'): IssuerScript =>
  (request) => ({
    outcome: 'answered',
    responseCode: '00',
    authCode,
    rrn: request.rrn,
    issuerData: Buffer.from('910a0102030405060708303071', 'hex'),
  });

export const decline =
  (responseCode: string): IssuerScript =>
  (request) => ({
    outcome: 'answered',
    responseCode,
    authCode: '',
    rrn: request.rrn,
    issuerData: Buffer.alloc(0),
  });

export const noAnswer: IssuerScript = () => ({ outcome: 'no_answer', reason: 'timeout' });

/** An issuer host the test scripts: what it answers to 0100/0200, and whether it acknowledges 0400/0401. */
export class FakeIssuer implements IssuerPort {
  readonly authorizations: IssuerAuthorization[] = [];
  readonly reversals: { reversal: IssuerReversal; repeat: boolean }[] = [];
  script: IssuerScript = approve();
  reversalsAcknowledged = true;

  async authorize(request: IssuerAuthorization, _deadlineMs: number): Promise<IssuerAnswer> {
    this.authorizations.push(request);
    return this.script(request);
  }

  async reverse(
    reversal: IssuerReversal,
    repeat: boolean,
    _deadlineMs: number,
  ): Promise<ReversalAnswer> {
    this.reversals.push({ reversal, repeat });
    return this.reversalsAcknowledged
      ? { outcome: 'acknowledged', responseCode: '00' }
      : { outcome: 'no_answer', reason: 'issuer down' };
  }
}
