import { inspect } from 'node:util';
import type { cardInsertV1 } from '@tillgate/contracts';
import { decryptPinBlock, hexToBytes, Pan, Secret, tokenizePan } from '@tillgate/crypto';
import { cardDataObjects, encodeTlv, primitive, type TlvNode } from '@tillgate/emv';
import type { KeyStoreLogger } from '@tillgate/key-store';
import {
  aCardProfile,
  AES_ZONE_PIN_KEY,
  anAccount,
  CardDatabase,
  checkPin,
  ZONE_PIN_KEY,
} from '@tillgate/issuer-simulator';
import {
  CardInsertRequestRefused,
  type KsnAcceptance,
  authorizeKsnChannels,
  type TerminalProfile,
} from '../acquiring.ports';
import { KeyStoreTerminalAuthenticator } from '../terminal/key-store-terminal.authenticator';
import {
  anAcquiringKeyStore,
  aTerminalProfile,
  PAN_TOKEN_KEY,
  SecureTerminal,
  ZONE_KEYS,
  ZONE_PIN_KEYS,
  type TerminalCard,
} from '../testing/secure-terminal.fixture';
import { KeyStoreCardDataOpener } from './key-store-card-data.opener';

const profile = aCardProfile('opener-card');
const account = anAccount(profile);
const track2 = Buffer.from(cardDataObjects(profile).get('57')!);
const track2Hex = track2.toString('hex').toUpperCase().replace(/F$/, '');
const iccNodes: TlvNode[] = [
  primitive('9F26', '0102030405060708'),
  primitive('9F27', '80'),
  primitive('9F36', '0001'),
  primitive('5F34', profile.panSequenceNumber),
];
const card: TerminalCard = {
  track2,
  pan: profile.pan,
  pin: profile.pin,
  iccData: Buffer.from(encodeTlv(iccNodes)),
};

async function setup(terminalProfile: TerminalProfile) {
  const logs: string[] = [];
  const logger: KeyStoreLogger = {
    info: (fields, message) => logs.push(JSON.stringify({ fields, message })),
    warn: (fields, message) => logs.push(JSON.stringify({ fields, message })),
  };
  const { store, audit } = await anAcquiringKeyStore(logger);
  const opener = new KeyStoreCardDataOpener({
    keys: store,
    panTokenKey: { id: PAN_TOKEN_KEY.id },
    zonePinKeys: ZONE_PIN_KEYS,
  });
  const authenticator = new KeyStoreTerminalAuthenticator(store);
  /** Opens the request's card data as the service does: under its KSN, accepted first. */
  const open = async (request: cardInsertV1.AuthorizeRequest) =>
    opener.open(terminalProfile, request, await accepted(authenticator, terminalProfile, request));
  return {
    opener,
    open,
    authenticator,
    logs,
    audit,
    terminal: new SecureTerminal(terminalProfile),
  };
}

/** The request's KSN accepted for its MAC, its track 2 and, when it has one, its PIN block. */
function accepted(
  authenticator: KeyStoreTerminalAuthenticator,
  terminalProfile: TerminalProfile,
  request: cardInsertV1.AuthorizeRequest,
): Promise<KsnAcceptance> {
  return authenticator.acceptKsn(
    terminalProfile,
    request.authentication!,
    authorizeKsnChannels(request),
  );
}

/** Every clear card value of the test card: none may reach an error, a log line or an audit event. */
function expectNoCardData(...outputs: unknown[]) {
  const text = outputs
    .map((o) => (typeof o === 'string' ? o : `${inspect(o, { depth: 5 })} ${JSON.stringify(o)}`))
    .join('\n');
  for (const secret of [profile.pan, track2Hex, track2Hex.replace('D', '='), profile.pin + 'F']) {
    expect(text).not.toContain(secret);
  }
}

async function refusalOf(promise: Promise<unknown>): Promise<CardInsertRequestRefused> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CardInsertRequestRefused);
  return error as CardInsertRequestRefused;
}

describe('KeyStoreCardDataOpener', () => {
  const tdes = aTerminalProfile('tdes');
  const aes = aTerminalProfile('aes128');

  it('TDES: opens track 2 to PAN, token, mask, expiry, and a format 0 zone PIN block the issuer accepts', async () => {
    const { open, terminal, logs, audit } = await setup(tdes);
    const opened = await open(terminal.authorize({ counter: 1, card }));

    expect(opened.pan.reveal()).toBe(profile.pan);
    expect(opened.expiry).toBe(profile.expiryDate.slice(0, 4));
    expect(opened.track2.expose().toString('ascii')).toBe(track2Hex);
    expect(opened.panSequenceNumber).toBe(profile.panSequenceNumber);
    expect(opened.panToken).toBe(
      tokenizePan(Pan.parse(profile.pan), hexToBytes(PAN_TOKEN_KEY.hex)),
    );
    expect(opened.maskedPan).toBe(
      `${profile.pan.slice(0, 6)}${'*'.repeat(profile.pan.length - 10)}${profile.pan.slice(-4)}`,
    );
    expect(opened.scheme).toBe(profile.pan.startsWith('4') ? 'visa' : 'mastercard');
    expect(Buffer.from(encodeTlv(opened.iccData))).toEqual(card.iccData);

    const record = new CardDatabase([account]).find(profile.pan)!;
    const zonePinBlock = opened.zonePinBlock!.expose();
    expect(zonePinBlock).toHaveLength(8);
    expect(checkPin(zonePinBlock, record, new Secret(ZONE_PIN_KEY), 0)).toBe('correct');

    expectNoCardData(opened, logs, audit.events);
  });

  it('TDES: a wrong PIN still translates, and the issuer finds it wrong', async () => {
    const { open, terminal } = await setup(tdes);
    const opened = await open(terminal.authorize({ counter: 2, card: { ...card, pin: '9999' } }));
    const record = new CardDatabase([account]).find(profile.pan)!;
    expect(checkPin(opened.zonePinBlock!.expose(), record, new Secret(ZONE_PIN_KEY), 0)).toBe(
      'wrong',
    );
  });

  it('AES: opens the same card and translates the format 4 PIN block to the AES zone key (format 4)', async () => {
    const { open, terminal } = await setup(aes);
    const opened = await open(terminal.authorize({ counter: 1, card }));
    expect(opened.pan.reveal()).toBe(profile.pan);
    expect(opened.expiry).toBe(profile.expiryDate.slice(0, 4));
    const zonePinBlock = opened.zonePinBlock!.expose();
    expect(zonePinBlock).toHaveLength(16);
    expect(
      decryptPinBlock({
        format: 4,
        key: hexToBytes(ZONE_KEYS.aes.hex),
        pinBlock: zonePinBlock,
        pan: profile.pan,
      }),
    ).toBe(profile.pin);
    const record = new CardDatabase([account]).find(profile.pan)!;
    expect(checkPin(zonePinBlock, record, new Secret(AES_ZONE_PIN_KEY), 4)).toBe('correct');
  });

  it('AES: a wrong PIN still translates, and the issuer finds it wrong under its AES zone key', async () => {
    const { open, terminal } = await setup(aes);
    const opened = await open(terminal.authorize({ counter: 2, card: { ...card, pin: '9999' } }));
    const record = new CardDatabase([account]).find(profile.pan)!;
    expect(checkPin(opened.zonePinBlock!.expose(), record, new Secret(AES_ZONE_PIN_KEY), 4)).toBe(
      'wrong',
    );
  });

  it('sends no PIN block when the terminal sent none', async () => {
    const { open, terminal } = await setup(tdes);
    const opened = await open(
      terminal.authorize({ counter: 3, card: { ...card, pin: undefined } }),
    );
    expect(opened.zonePinBlock).toBeUndefined();
  });

  it('opens the card data of one KSN once (the data key is used once per transaction)', async () => {
    const { opener, authenticator, terminal } = await setup(tdes);
    const request = terminal.authorize({ counter: 4, card });
    const acceptance = await accepted(authenticator, tdes, request);
    await opener.open(tdes, request, acceptance);
    const refusal = await refusalOf(opener.open(tdes, request, acceptance));
    expect(refusal).toMatchObject({ field: 'authentication.ksn', security: 'ksn_replayed' });
    // Nor can the KSN be accepted again for another try.
    await expect(accepted(authenticator, tdes, request)).rejects.toMatchObject({
      code: 'KSN_REPLAYED',
    });
  });

  it('refuses card data without a KSN accepted by the key store', async () => {
    const { opener, terminal } = await setup(tdes);
    await expect(
      opener.open(tdes, terminal.authorize({ counter: 4, card }), {
        channels: ['mac', 'data', 'pin'],
      }),
    ).rejects.toThrow('KeyStoreTerminalAuthenticator');
  });

  describe('refuses bad card data, naming the field and quoting none of it', () => {
    const withCard = (
      request: cardInsertV1.AuthorizeRequest,
      changes: Partial<cardInsertV1.SecuredCardData>,
    ) => ({
      ...request,
      card: { ...request.card!, ...changes },
    });

    it.each<[string, Buffer]>([
      ['truncated TLV', Buffer.from('9F260801020304', 'hex')],
      ['a length running past the end', Buffer.from('9F2681FF01', 'hex')],
      ['padding between objects', Buffer.from(`9F2608010203040506070800${'9F270180'}`, 'hex')],
      ['no ARQC', Buffer.from(encodeTlv([primitive('9F27', '80')]))],
      [
        'a clear PAN (5A)',
        Buffer.from(encodeTlv([...iccNodes, primitive('5A', `${profile.pan}`.padEnd(16, 'F'))])),
      ],
      ['clear track 2 (57)', Buffer.from(encodeTlv([...iccNodes, primitive('57', track2)]))],
      [
        'more than field 55 carries',
        Buffer.from(encodeTlv([...iccNodes, primitive('9F7C', Buffer.alloc(250))])),
      ],
    ])('ICC data with %s: card.icc_data', async (_what, iccData) => {
      const { open, terminal, logs } = await setup(tdes);
      const refusal = await refusalOf(
        open(terminal.authorize({ counter: 5, card: { ...card, iccData } })),
      );
      expect(refusal).toMatchObject({
        code: 'ICC_DATA_MALFORMED',
        field: 'card.icc_data',
        grpcStatus: 'INVALID_ARGUMENT',
      });
      expectNoCardData(refusal, refusal.message, logs);
    });

    it.each<[string, (t: SecureTerminal) => Buffer]>([
      ['under another KSN (decrypts to noise)', (t) => t.encryptTrack2(99, track2)],
      ['that is not whole cipher blocks', (t) => t.encryptTrack2(6, track2).subarray(0, 15)],
      [
        'without a separator',
        (t) => t.encryptTrack2(6, Buffer.from(track2Hex.replace('D', '0') + 'F', 'hex')),
      ],
      [
        'whose PAN fails the Luhn check',
        (t) => t.encryptTrack2(6, Buffer.from(lastPanDigitChanged(track2Hex), 'hex')),
      ],
      [
        'with an impossible expiry month',
        (t) => t.encryptTrack2(6, Buffer.from(expiryMonth13(track2Hex), 'hex')),
      ],
    ])('track 2 %s: card.encrypted_track2', async (_what, encrypt) => {
      const { open, terminal, logs } = await setup(tdes);
      const request = withCard(terminal.authorize({ counter: 6, card }), {
        encryptedTrack2: encrypt(terminal),
      });
      const refusal = await refusalOf(open(request));
      expect(refusal).toMatchObject({
        field: 'card.encrypted_track2',
        grpcStatus: 'INVALID_ARGUMENT',
      });
      expectNoCardData(refusal, refusal.message, logs);
    });

    it.each<[string, (t: SecureTerminal) => Buffer]>([
      ['encrypted under another KSN', (t) => t.encryptPin(99, profile.pin, profile.pan)],
      ['encrypted for another card', (t) => t.encryptPin(7, profile.pin, '4111111111111111')],
      ['cut to the wrong length', (t) => t.encryptPin(7, profile.pin, profile.pan).subarray(0, 7)],
    ])('a PIN block %s: card.encrypted_pin_block', async (_what, encrypt) => {
      const { open, terminal, logs } = await setup(tdes);
      const request = withCard(terminal.authorize({ counter: 7, card }), {
        encryptedPinBlock: encrypt(terminal),
      });
      const refusal = await refusalOf(open(request));
      expect(refusal).toMatchObject({
        field: 'card.encrypted_pin_block',
        grpcStatus: 'INVALID_ARGUMENT',
      });
      expectNoCardData(refusal, refusal.message, logs);
    });

    it('an AES PIN block for a scheme without a zone key: FAILED_PRECONDITION', async () => {
      const { store } = await anAcquiringKeyStore();
      const opener = new KeyStoreCardDataOpener({
        keys: store,
        panTokenKey: { id: PAN_TOKEN_KEY.id },
        zonePinKeys: { tdes: ZONE_PIN_KEYS.tdes },
      });
      const request = new SecureTerminal(aes).authorize({ counter: 8, card });
      const acceptance = await accepted(new KeyStoreTerminalAuthenticator(store), aes, request);
      const refusal = await refusalOf(opener.open(aes, request, acceptance));
      expect(refusal).toMatchObject({
        field: 'card.encrypted_pin_block',
        grpcStatus: 'FAILED_PRECONDITION',
      });
    });
  });
});

/** Track 2 with the PAN's check digit changed (still 16 digits, no longer Luhn-valid). */
function lastPanDigitChanged(hex: string): string {
  const separator = hex.indexOf('D');
  const digit = Number(hex[separator - 1]);
  const changed = `${hex.slice(0, separator - 1)}${(digit + 1) % 10}${hex.slice(separator)}`;
  return changed.length % 2 ? `${changed}F` : changed;
}

function expiryMonth13(hex: string): string {
  const separator = hex.indexOf('D');
  const changed = `${hex.slice(0, separator + 3)}13${hex.slice(separator + 5)}`;
  return changed.length % 2 ? `${changed}F` : changed;
}
