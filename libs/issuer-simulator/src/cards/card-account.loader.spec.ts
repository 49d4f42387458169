import { cardProfileToJson } from '@tillgate/emv';
import { aCardProfile } from '../testing/simulator.harness';
import { CardFileError, cardAccountFromJson } from './card-account.loader';

const profile = aCardProfile('loader-card', { bin: '541333' });
const profileJson = JSON.parse(JSON.stringify(cardProfileToJson(profile))) as Record<
  string,
  unknown
>;

describe('card files', () => {
  it('reads a bare card profile with default terms (Mastercard BIN: CVN 16)', () => {
    const account = cardAccountFromJson(profileJson, 'card.json', { balance: 7_000 });
    expect(account.profile.pan).toBe(profile.pan);
    expect(account.terms).toEqual({
      balance: 7_000,
      currency: '156',
      cryptogramVersion: 'mastercardCvn16',
      pinTryLimit: 3,
    });
  });

  it('reads { profile, account } with the file’s terms over the defaults', () => {
    const account = cardAccountFromJson(
      {
        profile: profileJson,
        account: { balance: 5, cryptogramVersion: 'mastercardCvn21', dailyLimit: 100 },
      },
      'card.json',
      { balance: 7_000 },
    );
    expect(account.terms).toMatchObject({
      balance: 5,
      cryptogramVersion: 'mastercardCvn21',
      dailyLimit: 100,
    });
  });

  it('names the file and the property at fault', () => {
    expect(() => cardAccountFromJson({ profile: { ...profileJson, pan: '12' } }, 'a.json')).toThrow(
      expect.objectContaining({ name: 'CardFileError', path: 'a.json $.profile.pan' }),
    );
    expect(() =>
      cardAccountFromJson(
        { profile: profileJson, account: { cryptogramVersion: 'visaCvn99' } },
        'b.json',
      ),
    ).toThrow(expect.objectContaining({ path: 'b.json $.account.cryptogramVersion' }));
    expect(() =>
      cardAccountFromJson({ profile: profileJson, account: { balanse: 1 } }, 'c.json'),
    ).toThrow(CardFileError);
  });
});
