import type { CardAccount } from '../cards/card-account';
import type { ChipCardEmulator } from '../testing/chip-card.emulator';
import {
  aCardProfile,
  anAccount,
  emulatorFor,
  startHarness,
  type Harness,
} from '../testing/simulator.harness';

const account: CardAccount = anAccount(aCardProfile('reversal-card'), { balance: 10_000 });
let h: Harness;
let card: ChipCardEmulator;
let stan = 500;

beforeAll(async () => {
  h = await startHarness([account]);
  card = emulatorFor(account);
});
afterAll(async () => h.close());

const available = () => h.issuer.cards.find(account.profile.pan)!.available;

async function approve(amount: number) {
  const { request } = card.authorization({ amount, stan: ++stan, mti: '0200' });
  const response = await h.link.request(request);
  expect(response.fields[39]).toBe('00');
  return request;
}

describe('reversals through the host link', () => {
  it('restores the balance once: a repeated 0400 and an 0420 advice get the same answer and change nothing', async () => {
    const original = await approve(2_500);
    expect(available()).toBe(7_500);

    const reversal = card.reversalOf(original, { stan: ++stan });
    const first = await h.link.request(reversal);
    expect(first.mti).toBe('0410');
    expect(first.fields[39]).toBe('00');
    expect(first.fields[90]).toMatchObject({
      originalMti: '0200',
      originalStan: original.fields[11],
    });
    expect(available()).toBe(10_000);

    // The same 0400 again (a retransmission), then an 0420 advice with a new STAN.
    const repeat = await h.link.request(reversal);
    const advice = await h.link.request(card.reversalOf(original, { stan: ++stan, mti: '0420' }));
    expect(repeat.fields[39]).toBe('00');
    expect(advice.mti).toBe('0430');
    expect(advice.fields[39]).toBe('00');
    expect(available()).toBe(10_000);

    const reversals = h.issuer.journal.entries().filter((e) => e.kind === 'reversal');
    expect(reversals).toHaveLength(1);
    expect(reversals[0]).toMatchObject({
      amount: 2_500,
      original: { mti: '0200', stan: original.fields[11], authCode: expect.any(String) },
    });
    expect(h.issuer.journal.netTotals()).toEqual({ '156': 0 });
  });

  it('a partial reversal (field 95) gives back only what does not stand', async () => {
    const original = await approve(3_000);
    const response = await h.link.request(
      card.reversalOf(original, { stan: ++stan, amountThatStands: 1_000 }),
    );
    expect(response.fields[39]).toBe('00');
    expect(available()).toBe(10_000 - 1_000);
  });

  it('answers 25 for an original it never saw, and 13 for a reversal of another amount', async () => {
    const { request: neverSent } = card.authorization({ amount: 100, stan: ++stan });
    expect((await h.link.request(card.reversalOf(neverSent, { stan: ++stan }))).fields[39]).toBe(
      '25',
    );

    const original = await approve(400);
    const wrongAmount = card.reversalOf(original, { stan: ++stan });
    const tampered = { ...wrongAmount, fields: { ...wrongAmount.fields, 4: '000000000401' } };
    expect((await h.link.request(tampered)).fields[39]).toBe('13');
    expect((await h.link.request(card.reversalOf(original, { stan: ++stan }))).fields[39]).toBe(
      '00',
    );
  });

  it('accepts the reversal of a declined original without moving money', async () => {
    const before = available();
    const { request } = card.authorization({ amount: 1_000_000, stan: ++stan });
    expect((await h.link.request(request)).fields[39]).toBe('51');
    expect((await h.link.request(card.reversalOf(request, { stan: ++stan }))).fields[39]).toBe(
      '00',
    );
    expect(available()).toBe(before);
  });
});
