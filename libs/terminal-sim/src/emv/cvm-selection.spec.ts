import { decodeCvmList } from '@tillgate/emv';
import { selectCvm } from './cvm-selection';

const ALL = { encipheredPinOnline: true, signature: true, noCvm: true };
const context = { amountMinor: 1250n, inApplicationCurrency: true, pinEntered: true };
// The test cards' list: online PIN if supported, else signature if supported, else no CVM (all "apply next").
const TEST_CARD_LIST = decodeCvmList(Buffer.from('000000000000000042035E031F03', 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

describe('cardholder verification method selection (Book 3 §10.5)', () => {
  it('a PIN pad and a PIN typed: online PIN, result unknown (the issuer checks it)', () => {
    const out = selectCvm(TEST_CARD_LIST, ALL, context);
    expect(out).toMatchObject({ outcome: 'performed', method: 'encipheredPinOnline' });
    expect(hex(out.results)).toBe('420300');
  });

  it('no PIN pad: the next rule, signature', () => {
    const out = selectCvm(TEST_CARD_LIST, { ...ALL, encipheredPinOnline: false }, context);
    expect(out).toMatchObject({ outcome: 'performed', method: 'signature' });
    expect(hex(out.results)).toBe('5E0300');
  });

  it('PIN bypassed on a list whose online PIN rule does not apply next: CVM failed, "PIN not entered"', () => {
    const list = decodeCvmList(Buffer.from('0000000000000000020000000000', 'hex').subarray(0, 10));
    const out = selectCvm(list, ALL, { ...context, pinEntered: false });
    expect(out).toMatchObject({ outcome: 'failed', pinNotEntered: true });
    expect(hex(out.results)).toBe('020001');
  });

  it('amount conditions: online PIN over X = 10.00, no CVM under it', () => {
    // X = 1000 minor units; 42 07 "online PIN if over X, else next", 1F 06 "no CVM if under X".
    const list = decodeCvmList(Buffer.from('000003E800000000' + '4207' + '1F06', 'hex'));
    expect(selectCvm(list, ALL, { ...context, amountMinor: 1250n })).toMatchObject({
      method: 'encipheredPinOnline',
    });
    expect(selectCvm(list, ALL, { ...context, amountMinor: 500n })).toMatchObject({
      method: 'noCvmRequired',
    });
    // In another currency than the application's, amount conditions do not apply.
    expect(
      selectCvm(list, ALL, { ...context, amountMinor: 1250n, inApplicationCurrency: false }),
    ).toMatchObject({ outcome: 'failed' });
  });
});
