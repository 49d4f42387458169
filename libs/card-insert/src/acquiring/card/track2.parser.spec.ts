import { cardSchemeOf } from './card-scheme';
import { parseTrack2, track2Field, Track2Malformed } from './track2.parser';

const bytes = (nibbles: string) => Buffer.from(nibbles.length % 2 ? `${nibbles}F` : nibbles, 'hex');

describe('parseTrack2', () => {
  it('reads PAN, expiry and service code, dropping the F padding', () => {
    const track2 = parseTrack2(
      Buffer.concat([bytes('4761739001010119D28122011758928889'), Buffer.alloc(6, 0xff)]),
    );
    expect(track2).toEqual({
      pan: '4761739001010119',
      expiry: '2812',
      serviceCode: '201',
      text: '4761739001010119D28122011758928889',
    });
    expect(track2Field(track2.text)).toBe('4761739001010119=28122011758928889');
  });

  it.each([
    ['noise', Buffer.from('8F3A01C2D4E5B6A7', 'hex'), 'not BCD track 2 data'],
    ['zeros only after padding removal', Buffer.alloc(8, 0xff), 'not BCD track 2 data'],
    ['no separator', bytes('4761739001010119281220117'), 'no separator'],
    ['two separators', bytes('4761739001010119D2812D201'), 'no separator'],
    ['a short PAN', bytes('47617390011D2812201'), 'PAN length'],
    ['month 13', bytes('4761739001010119D2813201'), 'expiry'],
    ['no expiry', bytes('4761739001010119D28'), 'expiry'],
    ['a reserved service code', bytes('4761739001010119D2812301'), 'service code'],
    ['more than 37 characters', bytes(`4761739001010119D2812201${'1'.repeat(14)}`), 'too long'],
  ])('refuses %s without quoting it', (_what, input, problem) => {
    let error: unknown;
    try {
      parseTrack2(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Track2Malformed);
    expect(error).toMatchObject({ problem });
    expect((error as Error).message).not.toMatch(/\d{6}/);
  });
});

describe('cardSchemeOf', () => {
  it.each([
    ['4761739001010119', 'visa'],
    ['5413330089010012', 'mastercard'],
    ['2223000048400011', 'mastercard'],
    ['371449635398431', 'amex'],
    ['3530111333300000', 'jcb'],
    ['6011000990139424', 'discover'],
    ['6212345678901232', 'unionpay'],
    ['6759649826438453', 'maestro'],
    ['9999999999999995', 'unknown'],
  ])('%s is %s', (pan, scheme) => {
    expect(cardSchemeOf(pan)).toBe(scheme);
  });
});
