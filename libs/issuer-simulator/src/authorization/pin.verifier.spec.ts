import { Secret, encryptPinBlock } from '@tillgate/crypto';
import { CardDatabase } from '../cards/card-database';
import {
  AES_ZONE_PIN_KEY,
  ZONE_PIN_KEY,
  aCardProfile,
  anAccount,
} from '../testing/simulator.harness';
import { checkFieldPin, checkPin, type ZonePinKeys } from './pin.verifier';

// Field 52 as the issuer reads it: 8 bytes under the TDES zone key (format 0
// here), 16 bytes in ISO 9564 format 4 under the AES zone key.

const profile = aCardProfile('pin-verifier-card', { pin: '2468' });
const card = new CardDatabase([anAccount(profile)]).find(profile.pan)!;
const KEYS: ZonePinKeys = {
  tdes: new Secret(ZONE_PIN_KEY),
  tdesFormat: 0,
  aes: new Secret(AES_ZONE_PIN_KEY),
};
const OTHER_AES_KEY = Buffer.from('2B7E151628AED2A6ABF7158809CF4F3C', 'hex');

const format4 = (pin: string, key = AES_ZONE_PIN_KEY, pan = profile.pan) =>
  encryptPinBlock({ format: 4, key, pin, pan });
const format0 = (pin: string) =>
  encryptPinBlock({ format: 0, key: ZONE_PIN_KEY, pin, pan: profile.pan });

describe('PIN verification of field 52', () => {
  describe('16 bytes: ISO 9564 format 4 under the AES zone PIN key', () => {
    it('finds the card’s PIN correct', () => {
      const block = format4('2468');
      expect(block).toHaveLength(16);
      expect(checkFieldPin(block, card, KEYS)).toBe('correct');
      expect(checkPin(block, card, KEYS.aes!, 4)).toBe('correct');
    });

    it('finds another PIN wrong, including a longer one that starts the same', () => {
      expect(checkFieldPin(format4('1357'), card, KEYS)).toBe('wrong');
      expect(checkFieldPin(format4('246800'), card, KEYS)).toBe('wrong');
    });

    it('finds each encryption of the PIN correct (format 4 fill is random)', () => {
      const [a, b] = [format4('2468'), format4('2468')];
      expect(Buffer.from(a).equals(b)).toBe(false);
      expect([checkFieldPin(a, card, KEYS), checkFieldPin(b, card, KEYS)]).toEqual([
        'correct',
        'correct',
      ]);
    });

    it.each<[string, () => Uint8Array]>([
      ['random bytes', () => Buffer.from('5F1E2D3C4B5A69788796A5B4C3D2E1F0', 'hex')],
      ['all zeros', () => Buffer.alloc(16)],
      ['a block under another AES key', () => format4('2468', OTHER_AES_KEY)],
      ['a block bound to another PAN', () => format4('2468', AES_ZONE_PIN_KEY, '5413330089020011')],
      [
        'a block with one bit flipped',
        () => {
          const block = format4('2468');
          block[5] ^= 0x01;
          return block;
        },
      ],
    ])('finds %s undecipherable, not wrong', (_name, block) => {
      expect(checkFieldPin(block(), card, KEYS)).toBe('undecipherable');
    });

    it('finds a 16-byte block undecipherable when no AES zone key is configured', () => {
      expect(checkFieldPin(format4('2468'), card, { ...KEYS, aes: undefined })).toBe(
        'undecipherable',
      );
    });
  });

  describe('8 bytes: the TDES zone PIN key in the configured format', () => {
    it('finds the card’s PIN correct and another wrong', () => {
      expect(checkFieldPin(format0('2468'), card, KEYS)).toBe('correct');
      expect(checkFieldPin(format0('1357'), card, KEYS)).toBe('wrong');
    });

    it('does not read an 8-byte block as format 3 when the link agreed format 0', () => {
      const format3 = encryptPinBlock({
        format: 3,
        key: ZONE_PIN_KEY,
        pin: '2468',
        pan: profile.pan,
      });
      expect(checkFieldPin(format3, card, KEYS)).toBe('undecipherable');
      expect(checkFieldPin(format3, card, { ...KEYS, tdesFormat: 3 })).toBe('correct');
    });
  });

  it.each([0, 7, 9, 12, 24])('finds a %i-byte block undecipherable', (length) => {
    expect(checkFieldPin(new Uint8Array(length).fill(0x44), card, KEYS)).toBe('undecipherable');
  });
});
