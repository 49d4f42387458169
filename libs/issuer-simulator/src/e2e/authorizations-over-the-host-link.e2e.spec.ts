import { Pan } from '@tillgate/crypto';
import type { IsoMessage } from '@tillgate/iso8583';
import type { CardAccount } from '../cards/card-account';
import type { ChipCardEmulator } from '../testing/chip-card.emulator';
import {
  aCardProfile,
  anAccount,
  emulatorFor,
  startHarness,
  type Harness,
} from '../testing/simulator.harness';

// Each scenario sends a real 0100/0200 with a real ARQC and PIN block through
// the host link to the simulator over TCP on 127.0.0.1.

const visa = anAccount(aCardProfile('visa-cvn18', { pin: '1234' }), { balance: 50_000 });
const mastercard = anAccount(aCardProfile('mastercard-cvn16', { bin: '541333', pin: '9876' }));
const visaCvn10 = anAccount(aCardProfile('visa-cvn10'), { cryptogramVersion: 'visaCvn10' });
const mastercardCvn21 = anAccount(aCardProfile('mastercard-cvn21', { bin: '222300' }), {
  cryptogramVersion: 'mastercardCvn21',
});
const pinVictim = anAccount(aCardProfile('pin-victim', { pin: '4321' }));
const expired = anAccount(aCardProfile('expired', { expiryDate: '230131' }));
const poor = anAccount(aCardProfile('poor'), { balance: 999 });
const limited = anAccount(aCardProfile('limited'), {
  perTransactionLimit: 5_000,
  dailyLimit: 8_000,
});
const unknown = anAccount(aCardProfile('not-in-the-database'));

// One emulator per card, so its ATC keeps rising as a real card's does.
const emulators = new Map<CardAccount, ChipCardEmulator>();
const cardOf = (account: CardAccount): ChipCardEmulator => {
  if (!emulators.has(account)) emulators.set(account, emulatorFor(account));
  return emulators.get(account)!;
};

let h: Harness;
let stan = 0;
const nextStan = () => ++stan;

beforeAll(async () => {
  h = await startHarness([
    visa,
    mastercard,
    visaCvn10,
    mastercardCvn21,
    pinVictim,
    expired,
    poor,
    limited,
  ]);
});
afterAll(async () => h.close());

/** Sends one authorization for `account`; returns the response and the card's ARPC check. */
async function authorize(
  account: CardAccount,
  tx: {
    amount?: number;
    pin?: string | null;
    mti?: '0100' | '0200';
    corruptArqc?: boolean;
  } = {},
) {
  const card = cardOf(account);
  const issued = card.authorization({
    amount: tx.amount ?? 1_000,
    stan: nextStan(),
    pin: tx.pin,
    mti: tx.mti,
    corruptArqc: tx.corruptArqc,
  });
  const response = await h.link.request(issued.request);
  return { response, arpc: card.checkArpc(issued, response), request: issued.request };
}

const code = (m: IsoMessage) => m.fields[39];

describe('authorizations through the host link', () => {
  it('approves a correct ARQC and PIN with an auth code and a method 2 ARPC (Visa CVN 18) the card accepts', async () => {
    const { response, arpc } = await authorize(visa, { amount: 12_345 });
    expect(response.mti).toBe('0110');
    expect(code(response)).toBe('00');
    expect(response.fields[38]).toMatch(/^[0-9A-Z]{6}$/);
    expect(arpc).toEqual({ present: true, valid: true, method: 2, csu: '00800000' });
    expect(h.issuer.cards.find(visa.profile.pan)?.available).toBe(50_000 - 12_345);
  });

  it('answers method 1 ARPCs (ARPC || ARC) for Mastercard CVN 16, Visa CVN 10 and Mastercard CVN 21', async () => {
    for (const account of [mastercard, visaCvn10, mastercardCvn21]) {
      const { response, arpc } = await authorize(account, { mti: '0200' });
      expect(response.mti).toBe('0210');
      expect(code(response)).toBe('00');
      expect(arpc).toEqual({ present: true, valid: true, method: 1, arc: '00' });
    }
  });

  it('declines a wrong PIN with 55, and the third wrong PIN in a row with 75, then refuses even the right one', async () => {
    const first = await authorize(pinVictim, { pin: '0000' });
    expect(code(first.response)).toBe('55');
    // The ARQC was good, so the decline is authenticated: ARPC method 2 with a declining CSU.
    expect(first.arpc).toEqual({ present: true, valid: true, method: 2, csu: '00000000' });
    expect(code((await authorize(pinVictim, { pin: '1111' })).response)).toBe('55');
    expect(code((await authorize(pinVictim, { pin: '2222' })).response)).toBe('75');
    expect(code((await authorize(pinVictim, { pin: '4321' })).response)).toBe('75');
  });

  it('a right PIN resets the count of wrong ones', async () => {
    expect(code((await authorize(mastercard, { pin: '0000' })).response)).toBe('55');
    expect(code((await authorize(mastercard, { pin: '0000' })).response)).toBe('55');
    expect(code((await authorize(mastercard)).response)).toBe('00');
    expect(code((await authorize(mastercard, { pin: '0000' })).response)).toBe('55');
  });

  it('declines an expired card with 54', async () => {
    expect(code((await authorize(expired)).response)).toBe('54');
  });

  it('declines an amount over the available balance with 51, and over the limits with 61', async () => {
    expect(code((await authorize(poor, { amount: 1_000 })).response)).toBe('51');
    expect(code((await authorize(poor, { amount: 999 })).response)).toBe('00');
    expect(code((await authorize(limited, { amount: 5_001 })).response)).toBe('61');
    expect(code((await authorize(limited, { amount: 5_000 })).response)).toBe('00');
    expect(code((await authorize(limited, { amount: 3_001 })).response)).toBe('61');
  });

  it('declines a card the issuer does not know with 14', async () => {
    const { response, arpc } = await authorize(unknown);
    expect(code(response)).toBe('14');
    expect(arpc.present).toBe(false);
  });

  it('declines a bad ARQC with 05 and no ARPC: the card cannot be authenticated', async () => {
    const before = h.issuer.cards.find(visa.profile.pan)?.available;
    const { response, arpc } = await authorize(visa, { corruptArqc: true });
    expect(code(response)).toBe('05');
    expect(arpc.present).toBe(false);
    expect(h.issuer.cards.find(visa.profile.pan)?.available).toBe(before);
  });

  it('declines a replayed cryptogram (an ATC already used) with 05', async () => {
    const issued = cardOf(visaCvn10).authorization({ amount: 100, stan: nextStan() });
    expect(code(await h.link.request(issued.request))).toBe('00');
    const replay = {
      ...issued.request,
      fields: { ...issued.request.fields, 11: String(nextStan()).padStart(6, '0') },
    };
    expect(code(await h.link.request(replay))).toBe('05');
  });

  it('answers a duplicate (same terminal, STAN and transmission time) with 94 and changes nothing', async () => {
    const issued = cardOf(mastercard).authorization({ amount: 700, stan: nextStan() });
    expect(code(await h.link.request(issued.request))).toBe('00');
    const balance = h.issuer.cards.find(mastercard.profile.pan)?.available;
    const journaled = h.issuer.journal.entries().length;
    const again = await h.link.request(issued.request);
    expect(code(again)).toBe('94');
    expect(again.fields[55]).toBeUndefined();
    expect(h.issuer.cards.find(mastercard.profile.pan)?.available).toBe(balance);
    expect(h.issuer.journal.entries()).toHaveLength(journaled);
  });

  it('journals approvals with the masked PAN, never logs a full PAN or a PIN', async () => {
    const approvals = h.issuer.journal.entries().filter((e) => e.kind === 'approval');
    expect(approvals.length).toBeGreaterThan(0);
    expect(approvals[0]).toMatchObject({
      kind: 'approval',
      mti: '0100',
      terminalId: 'TERM0001',
      maskedPan: Pan.parse(visa.profile.pan).masked,
      amount: 12_345,
      currency: '156',
    });
    const everything = h.logs.join('\n') + JSON.stringify(h.issuer.journal.entries());
    for (const account of [visa, mastercard, pinVictim, poor, limited]) {
      expect(everything).not.toContain(account.profile.pan);
    }
    expect(everything).not.toMatch(/"pin"\s*:\s*"\d+"/);
    expect(h.logs.length).toBeGreaterThan(10);
  });
});
