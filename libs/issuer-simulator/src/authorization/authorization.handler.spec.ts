import { encryptPinBlock } from '@tillgate/crypto';
import type { TlvNode } from '@tillgate/emv';
import { ACQUIRER_SPEC, pack, unpack, type IsoMessage } from '@tillgate/iso8583';
import { createLogger } from '@tillgate/platform';
import type { AccountTerms, CardAccount } from '../cards/card-account';
import { SimulatedIssuer } from '../issuer/simulated-issuer';
import { ChipCardEmulator, type ChipTransaction } from '../testing/chip-card.emulator';
import {
  AES_ZONE_PIN_KEY,
  ZONE_PIN_KEY,
  aCardProfile,
  anAccount,
  emulatorFor,
} from '../testing/simulator.harness';

// The issuer's rules without a network: messages go through pack/unpack, as
// on the wire, straight into SimulatedIssuer.

const NEW_YEARS_EVE = new Date('2025-12-31T23:59:59Z');
const profile = aCardProfile('unit-card', { pin: '2468', expiryDate: '251231' });

function given(
  terms: Partial<AccountTerms> = {},
  now = NEW_YEARS_EVE,
  /** null: the simulator has no AES zone PIN key. */
  aesZonePinKey: Buffer | null = AES_ZONE_PIN_KEY,
) {
  const account: CardAccount = anAccount(profile, terms);
  const issuer = new SimulatedIssuer({
    cards: [account],
    zonePinKey: ZONE_PIN_KEY,
    aesZonePinKey: aesZonePinKey ?? undefined,
    now: () => now,
    logger: createLogger({ level: 'silent' }),
  });
  const card = emulatorFor(account);
  let stan = 0;
  const wire = (m: IsoMessage): IsoMessage => unpack(pack(m, ACQUIRER_SPEC), ACQUIRER_SPEC);
  const send = (m: IsoMessage) => issuer.handle(wire(m))!;
  const authorize = (
    tx: Partial<ChipTransaction> = {},
    edit: (m: IsoMessage) => IsoMessage = (m) => m,
  ) => send(edit(card.authorization({ amount: 1_000, stan: ++stan, at: now, ...tx }).request));
  return { issuer, card, send, authorize };
}

const withField =
  (field: number, value: IsoMessage['fields'][number]) =>
  (m: IsoMessage): IsoMessage => ({
    ...m,
    fields: { ...m.fields, [field]: value },
  });
const without =
  (field: number) =>
  (m: IsoMessage): IsoMessage => {
    const fields = { ...m.fields };
    delete fields[field];
    return { ...m, fields };
  };

describe('authorization rules', () => {
  it('approves on the last day of the expiry month and answers 54 the day after', () => {
    expect(given().authorize().fields[39]).toBe('00');
    expect(
      given({}, new Date('2026-01-01T00:00:00Z')).authorize({ at: NEW_YEARS_EVE }).fields[39],
    ).toBe('54');
  });

  it('answers 54 when the expiry presented (field 14) is not the card’s', () => {
    expect(given().authorize({ presentedExpiry: '2612' }).fields[39]).toBe('54');
  });

  it('answers 05 when the cryptogram covers another amount than field 4', () => {
    const { authorize } = given();
    expect(authorize({}, withField(4, '000000009999')).fields[39]).toBe('05');
  });

  it('answers 05 when 9F10 names another CVN than the card’s', () => {
    const { issuer } = given({ cryptogramVersion: 'visaCvn18' });
    const cvn10 = new ChipCardEmulator(profile, {
      zonePinKey: ZONE_PIN_KEY,
      cryptogramVersion: 'visaCvn10',
    });
    const { request } = cvn10.authorization({ amount: 1_000, stan: 1, at: NEW_YEARS_EVE });
    expect(issuer.handle(request)!.fields[39]).toBe('05');
  });

  it('answers 30 for chip entry without field 55, and for field 55 without the ARQC', () => {
    const { authorize } = given();
    expect(authorize({}, without(55)).fields[39]).toBe('30');
    const response = authorize({}, (m) => ({
      ...m,
      fields: {
        ...m.fields,
        55: (m.fields[55] as readonly TlvNode[]).filter((n) => n.tag !== '9F26'),
      },
    }));
    expect(response.fields[39]).toBe('30');
  });

  it('answers 13 for a currency other than the account’s and for a zero amount, 12 for a balance inquiry', () => {
    expect(given({ currency: '840' }).authorize().fields[39]).toBe('13');
    expect(given().authorize({ amount: 0 }).fields[39]).toBe('13');
    const inquiry = withField(3, { transactionType: '31', fromAccount: '00', toAccount: '00' });
    expect(given().authorize({}, inquiry).fields[39]).toBe('12');
  });

  it('answers 96 for a PIN block that does not decipher under the zone PIN key, without counting a try', () => {
    const otherKey = Buffer.from('FEDCBA98765432100123456789ABCDEF', 'hex');
    const block = encryptPinBlock({ format: 0, key: otherKey, pin: '2468', pan: profile.pan });
    const { issuer, authorize } = given({ pinTryLimit: 1 });
    expect(authorize({}, withField(52, block)).fields[39]).toBe('96');
    expect(issuer.cards.list()[0]).toMatchObject({ wrongPinCount: 0, pinTriesExceeded: false });
    expect(authorize().fields[39]).toBe('00');
  });

  describe('a 16-byte field 52: ISO 9564 format 4 under the AES zone PIN key', () => {
    const aesBlock = (pin: string, key = AES_ZONE_PIN_KEY) =>
      withField(52, encryptPinBlock({ format: 4, key, pin, pan: profile.pan }));

    it('approves the card’s PIN, and an AES-keyed emulator’s request', () => {
      expect(given().authorize({}, aesBlock('2468')).fields[39]).toBe('00');
      const { issuer } = given();
      const aesCard = new ChipCardEmulator(profile, {
        zonePinKey: AES_ZONE_PIN_KEY,
        pinBlockFormat: 4,
      });
      const { request } = aesCard.authorization({ amount: 1_000, stan: 1, at: NEW_YEARS_EVE });
      expect((request.fields[52] as Uint8Array).length).toBe(16);
      expect(issuer.handle(unpack(pack(request, ACQUIRER_SPEC), ACQUIRER_SPEC))!.fields[39]).toBe(
        '00',
      );
    });

    it('answers 55 for a wrong PIN and 75 when it uses up the last try', () => {
      const { issuer, authorize } = given({ pinTryLimit: 2 });
      expect(authorize({}, aesBlock('1357')).fields[39]).toBe('55');
      expect(issuer.cards.list()[0]).toMatchObject({ wrongPinCount: 1 });
      expect(authorize({}, aesBlock('1357')).fields[39]).toBe('75');
    });

    it('answers 96 for a block that does not decipher, or with no AES zone key, without counting a try', () => {
      const otherKey = Buffer.from('2B7E151628AED2A6ABF7158809CF4F3C', 'hex');
      const garbage = withField(52, Buffer.from('5F1E2D3C4B5A69788796A5B4C3D2E1F0', 'hex'));
      const { issuer, authorize } = given({ pinTryLimit: 1 });
      expect(authorize({}, aesBlock('2468', otherKey)).fields[39]).toBe('96');
      expect(authorize({}, garbage).fields[39]).toBe('96');
      expect(issuer.cards.list()[0]).toMatchObject({ wrongPinCount: 0, pinTriesExceeded: false });
      expect(given({}, NEW_YEARS_EVE, null).authorize({}, aesBlock('2468')).fields[39]).toBe('96');
    });
  });

  it('approves without field 52 (no online PIN) and counts against the daily limit by UTC day', () => {
    const { authorize } = given({ dailyLimit: 1_500 });
    expect(authorize({ pin: null }).fields[39]).toBe('00');
    expect(authorize({ pin: null }).fields[39]).toBe('61');
  });

  it('echoes the request’s identifying fields but never the PAN, track 2 or PIN block', () => {
    const response = given().authorize();
    expect(
      Object.keys(response.fields)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([3, 4, 7, 11, 12, 13, 25, 38, 39, 41, 42, 49, 55]);
  });
});
