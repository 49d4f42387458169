import { cardDataObjects, decodeTlv, encodeTlv, type TlvNode } from '@tillgate/emv';
import {
  aCardProfile,
  anAccount,
  emulatorFor,
  startHarness,
  type CardAccount,
  type ChipCardEmulator,
  type Harness,
} from '@tillgate/issuer-simulator';
import type {
  IssuerAuthorization,
  IssuerReversal,
  OpenedCard,
  TerminalProfile,
} from '../acquiring.ports';
import { KeyStoreCardDataOpener } from '../card/key-store-card-data.opener';
import { KeyStoreTerminalAuthenticator } from '../terminal/key-store-terminal.authenticator';
import {
  anAcquiringKeyStore,
  aTerminalProfile,
  PAN_TOKEN_KEY,
  SecureTerminal,
  ZONE_PIN_KEYS,
} from '../testing/secure-terminal.fixture';
import { HostLinkIssuer } from './host-link.issuer';

/**
 * HostLinkIssuer against the real issuer simulator over TCP: the card data
 * goes the whole way a terminal's does (DUKPT encryption by the terminal,
 * opened and PIN-translated in the key store, ISO 8583 on the host link),
 * and the simulator checks the ARQC, the PIN, expiry and funds itself.
 * TDES DUKPT terminals' PINs reach it as 8-byte format 0 blocks under the
 * TDES zone key, AES DUKPT terminals' as 16-byte format 4 blocks under the
 * AES zone key (field 52, docs/iso8583.md).
 */
const terminalProfile = aTerminalProfile('tdes');
const terminal = new SecureTerminal(terminalProfile);
const aesTerminalProfile = aTerminalProfile('aes128');
const aesTerminal = new SecureTerminal(aesTerminalProfile);
const funded = anAccount(aCardProfile('issuer-approve'), { balance: 100_000 });
/** Its own card, so the AES cases' PIN tries and balance are theirs alone. */
const aesFunded = anAccount(aCardProfile('issuer-approve-aes'), { balance: 100_000 });
const poor = anAccount(aCardProfile('issuer-poor'), { balance: 500 });
const expired = anAccount(
  aCardProfile('issuer-expired', { expiryDate: '231231', effectiveDate: '200101' }),
);
const DEADLINE_MS = 1_500;

let h: Harness;
let opener: KeyStoreCardDataOpener;
let authenticator: KeyStoreTerminalAuthenticator;
let issuer: HostLinkIssuer;
const emulators = new Map<CardAccount, ChipCardEmulator>();
const counters = new Map<SecureTerminal, number>();
let stan = 100;

beforeAll(async () => {
  h = await startHarness([funded, poor, expired, aesFunded]);
  const { store } = await anAcquiringKeyStore();
  authenticator = new KeyStoreTerminalAuthenticator(store);
  opener = new KeyStoreCardDataOpener({
    keys: store,
    panTokenKey: { id: PAN_TOKEN_KEY.id },
    zonePinKeys: ZONE_PIN_KEYS,
  });
  issuer = new HostLinkIssuer(h.link);
  for (const account of [funded, poor, expired, aesFunded])
    emulators.set(account, emulatorFor(account));
});
afterAll(async () => h.close());

const available = (account: CardAccount) => h.issuer.cards.find(account.profile.pan)!.available;

/** The card's first GENERATE AC, read by the terminal (TDES unless `via`) and opened by the gateway. */
async function presentCard(
  account: CardAccount,
  amount: number,
  pin = account.profile.pin,
  via = terminal,
) {
  const issued = emulators.get(account)!.authorization({ amount, stan: 1, currency: '156' });
  const iccData = Buffer.from(encodeTlv(issued.request.fields[55] as TlvNode[]));
  const track2 = Buffer.from(cardDataObjects(account.profile).get('57')!);
  const counter = (counters.get(via) ?? 0) + 1;
  counters.set(via, counter);
  const request = via.authorize({
    counter,
    amountMinor: BigInt(amount),
    card: { track2, pan: account.profile.pan, pin, iccData },
  });
  const acceptance = await authenticator.acceptKsn(via.profile, request.authentication!, [
    'mac',
    'data',
    'pin',
  ]);
  const card = await opener.open(via.profile, request, acceptance);
  return { issued, card };
}

function authorization(
  card: OpenedCard,
  amount: number,
  from: TerminalProfile = terminalProfile,
): IssuerAuthorization {
  stan += 1;
  return {
    kind: 'sale',
    terminal: from,
    card,
    amountMinor: BigInt(amount),
    currency: 'CNY',
    stan,
    localTime: `2026-11-25T14:${String(Math.floor(stan / 60) % 60).padStart(2, '0')}:${String(stan % 60).padStart(2, '0')}`,
    rrn: `RRN${String(stan).padStart(9, '0')}`,
  };
}

function reversalOf(request: IssuerAuthorization, reasonCode = '68'): IssuerReversal {
  return {
    paymentId: `payment-${request.stan}`,
    terminalId: request.terminal.terminalId,
    cardAcceptorId: request.terminal.cardAcceptorId,
    originalMti: '0200',
    originalStan: request.stan,
    originalLocalTime: request.localTime,
    rrn: request.rrn,
    amountMinor: request.amountMinor,
    currency: request.currency,
    reasonCode,
  };
}

describe('HostLinkIssuer against the issuer simulator', () => {
  it('approves with an auth code and an ARPC the card accepts, debiting the account', async () => {
    const before = available(funded);
    const { issued, card } = await presentCard(funded, 2_500);
    const request = authorization(card, 2_500);
    const answer = await issuer.authorize(request, DEADLINE_MS);
    expect(answer).toMatchObject({ outcome: 'answered', responseCode: '00', rrn: request.rrn });
    if (answer.outcome !== 'answered') throw new Error('unreachable');
    expect(answer.authCode).toMatch(/^[0-9A-Z]{6}$/);
    const arpc = emulators
      .get(funded)!
      .checkArpc(issued, { mti: '0210', fields: { 55: decodeTlv(answer.issuerData) } });
    expect(arpc).toMatchObject({ present: true, valid: true });
    expect(available(funded)).toBe(before - 2_500);
    expect(h.issuer.journal.entries().at(-1)).toMatchObject({
      mti: '0200',
      terminalId: terminalProfile.terminalId,
      stan: String(request.stan).padStart(6, '0'),
      retrievalReference: request.rrn,
      maskedPan: card.maskedPan,
      amount: 2_500,
      currency: '156',
    });
  });

  it('declines a wrong PIN with 55', async () => {
    const { card } = await presentCard(funded, 1_000, '0000');
    const answer = await issuer.authorize(authorization(card, 1_000), DEADLINE_MS);
    expect(answer).toMatchObject({ outcome: 'answered', responseCode: '55', authCode: '' });
  });

  describe('an AES DUKPT terminal: format 4 PIN under the AES zone key', () => {
    it('approves the right PIN, debiting the account', async () => {
      const before = available(aesFunded);
      const { issued, card } = await presentCard(aesFunded, 1_500, undefined, aesTerminal);
      expect(card.zonePinBlock?.expose()).toHaveLength(16);
      const request = authorization(card, 1_500, aesTerminalProfile);
      const answer = await issuer.authorize(request, DEADLINE_MS);
      expect(answer).toMatchObject({ outcome: 'answered', responseCode: '00', rrn: request.rrn });
      if (answer.outcome !== 'answered') throw new Error('unreachable');
      expect(answer.authCode).toMatch(/^[0-9A-Z]{6}$/);
      const arpc = emulators
        .get(aesFunded)!
        .checkArpc(issued, { mti: '0210', fields: { 55: decodeTlv(answer.issuerData) } });
      expect(arpc).toMatchObject({ present: true, valid: true });
      expect(available(aesFunded)).toBe(before - 1_500);
      expect(h.issuer.journal.entries().at(-1)).toMatchObject({
        terminalId: aesTerminalProfile.terminalId,
        stan: String(request.stan).padStart(6, '0'),
        amount: 1_500,
      });
    });

    it('declines a wrong PIN with 55, counting the try, and leaves the balance alone', async () => {
      const before = available(aesFunded);
      const { card } = await presentCard(aesFunded, 1_000, '0000', aesTerminal);
      expect(card.zonePinBlock?.expose()).toHaveLength(16);
      const answer = await issuer.authorize(
        authorization(card, 1_000, aesTerminalProfile),
        DEADLINE_MS,
      );
      expect(answer).toMatchObject({ outcome: 'answered', responseCode: '55', authCode: '' });
      expect(h.issuer.cards.find(aesFunded.profile.pan)!.summary()).toMatchObject({
        wrongPinCount: 1,
      });
      expect(available(aesFunded)).toBe(before);
    });
  });

  it('declines insufficient funds with 51', async () => {
    const { card } = await presentCard(poor, 1_000);
    const answer = await issuer.authorize(authorization(card, 1_000), DEADLINE_MS);
    expect(answer).toMatchObject({ outcome: 'answered', responseCode: '51' });
    expect(available(poor)).toBe(500);
  });

  it('declines an expired card with 54', async () => {
    const { card } = await presentCard(expired, 1_000);
    const answer = await issuer.authorize(authorization(card, 1_000), DEADLINE_MS);
    expect(answer).toMatchObject({ outcome: 'answered', responseCode: '54' });
  });

  it('reports no_answer within the deadline when the issuer does not answer', async () => {
    const { card } = await presentCard(funded, 700);
    const request = authorization(card, 700);
    h.host.faults.add({
      match: { mti: '0200', stan: String(request.stan).padStart(6, '0') },
      action: { kind: 'no-answer' },
    });
    const started = performance.now();
    const answer = await issuer.authorize(request, 400);
    const elapsed = performance.now() - started;
    expect(answer).toEqual({ outcome: 'no_answer', reason: 'HOST_TIMEOUT' });
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('reports no_answer when the connection drops while waiting', async () => {
    const { card } = await presentCard(funded, 800);
    const request = authorization(card, 800);
    h.host.faults.add({ match: { mti: '0200' }, action: { kind: 'disconnect' } });
    expect(await issuer.authorize(request, DEADLINE_MS)).toEqual({
      outcome: 'no_answer',
      reason: 'HOST_DISCONNECTED',
    });
    await h.link.waitUntilReady(3_000);
  });

  it('reverses with 0400, and a 0401 repeat is acknowledged without reversing twice', async () => {
    const { card } = await presentCard(funded, 3_000);
    const request = authorization(card, 3_000);
    const before = available(funded);
    expect(await issuer.authorize(request, DEADLINE_MS)).toMatchObject({ responseCode: '00' });
    expect(available(funded)).toBe(before - 3_000);
    const reversals = () => h.issuer.journal.entries().filter((e) => e.kind === 'reversal').length;
    const journaled = reversals();

    expect(await issuer.reverse(reversalOf(request), false, DEADLINE_MS)).toEqual({
      outcome: 'acknowledged',
      responseCode: '00',
    });
    expect(available(funded)).toBe(before);
    expect(await issuer.reverse(reversalOf(request), true, DEADLINE_MS)).toEqual({
      outcome: 'acknowledged',
      responseCode: '00',
    });
    expect(available(funded)).toBe(before);
    expect(reversals()).toBe(journaled + 1);
  });

  it('an unanswered 0400 is no_answer; the 0401 that follows reverses the approval', async () => {
    const { card } = await presentCard(funded, 1_200);
    const request = authorization(card, 1_200);
    const before = available(funded);
    await issuer.authorize(request, DEADLINE_MS);
    h.host.faults.add({ match: { mti: '0400' }, action: { kind: 'no-answer' } });
    expect(await issuer.reverse(reversalOf(request), false, 300)).toEqual({
      outcome: 'no_answer',
      reason: 'HOST_TIMEOUT',
    });
    expect(available(funded)).toBe(before - 1_200);
    expect(await issuer.reverse(reversalOf(request), true, DEADLINE_MS)).toEqual({
      outcome: 'acknowledged',
      responseCode: '00',
    });
    expect(available(funded)).toBe(before);
  });

  it('reverses an authorization that timed out at the gateway but was approved at the issuer', async () => {
    const { card } = await presentCard(funded, 900);
    const request = authorization(card, 900);
    const before = available(funded);
    h.host.faults.add({ match: { mti: '0200' }, action: { kind: 'drop-response' } });
    expect(await issuer.authorize(request, 300)).toMatchObject({ outcome: 'no_answer' });
    expect(available(funded)).toBe(before - 900);
    expect(await issuer.reverse(reversalOf(request), false, DEADLINE_MS)).toEqual({
      outcome: 'acknowledged',
      responseCode: '00',
    });
    expect(available(funded)).toBe(before);
  });

  it('acknowledges with 25 the reversal of an authorization the issuer never saw; 96 stays pending', async () => {
    const { card } = await presentCard(funded, 400);
    const neverSent = authorization(card, 400);
    expect(await issuer.reverse(reversalOf(neverSent), false, DEADLINE_MS)).toEqual({
      outcome: 'acknowledged',
      responseCode: '25',
    });
    h.host.faults.add({ match: { mti: '0401' }, action: { kind: 'respond', responseCode: '96' } });
    expect(await issuer.reverse(reversalOf(neverSent), true, DEADLINE_MS)).toEqual({
      outcome: 'no_answer',
      reason: 'issuer answered 96',
    });
  });
});
