import { Pan, Secret } from '@tillgate/crypto';
import { primitive } from '@tillgate/emv';
import { ACQUIRER_SPEC, pack, unpack } from '@tillgate/iso8583';
import type { IssuerAuthorization, IssuerReversal, OpenedCard } from '../acquiring.ports';
import { aTerminalProfile } from '../testing/secure-terminal.fixture';
import { authorizationMessage, reversalMessage } from './host-link.issuer';

const PAN = '4761739001010119';
const card: OpenedCard = {
  pan: Pan.parse(PAN),
  track2: new Secret(Buffer.from(`${PAN}D28122011758928889`, 'ascii')),
  expiry: '2812',
  panSequenceNumber: '01',
  panToken: 'ab'.repeat(32),
  maskedPan: '476173******0119',
  scheme: 'visa',
  zonePinBlock: new Secret(Buffer.from('0123456789ABCDEF', 'hex')),
  iccData: [primitive('9F26', '0102030405060708'), primitive('9F27', '80')],
};
const request: IssuerAuthorization = {
  kind: 'sale',
  terminal: aTerminalProfile('tdes', { cardAcceptorId: 'SHOP42' }),
  card,
  amountMinor: 1_234n,
  currency: 'EUR',
  stan: 42,
  localTime: '2026-11-25T09:05:07',
  rrn: '533009000042',
};

describe('the ISO 8583 messages HostLinkIssuer sends (ACQUIRER_SPEC)', () => {
  it('builds a 0200 for a sale with every field the issuer needs, and it packs', () => {
    const message = authorizationMessage(request);
    expect(message.mti).toBe('0200');
    expect(Object.keys(message.fields).map(Number)).toEqual([
      2, 3, 4, 7, 11, 12, 13, 14, 22, 23, 25, 35, 37, 41, 42, 49, 52, 55,
    ]);
    expect(message.fields).toMatchObject({
      2: PAN,
      3: { transactionType: '00', fromAccount: '00', toAccount: '00' },
      4: '000000001234',
      7: '1125090507',
      11: '000042',
      12: '090507',
      13: '1125',
      14: '2812',
      22: { panEntryMode: '05', pinEntryCapability: '1' },
      23: '001',
      25: '00',
      35: `${PAN}=28122011758928889`,
      37: '533009000042',
      41: 'TERM0001',
      42: 'SHOP42         ',
      49: '978',
      52: Buffer.from('0123456789ABCDEF', 'hex'),
      55: [
        { tag: '9F26', value: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) },
        { tag: '9F27', value: new Uint8Array([0x80]) },
      ],
    });
    const wire = pack(message, ACQUIRER_SPEC);
    expect(unpack(wire, ACQUIRER_SPEC).mti).toBe('0200');
  });

  it('builds a 0100 for a pre-authorization, without 23 and 52 when there is no PSN and no PIN', () => {
    const noPin: OpenedCard = {
      pan: card.pan,
      track2: card.track2,
      expiry: card.expiry,
      panToken: card.panToken,
      maskedPan: card.maskedPan,
      scheme: card.scheme,
      iccData: card.iccData,
    };
    const message = authorizationMessage({ ...request, kind: 'pre_authorization', card: noPin });
    expect(message.mti).toBe('0100');
    expect(message.fields[23]).toBeUndefined();
    expect(message.fields[52]).toBeUndefined();
    expect(() => pack(message, ACQUIRER_SPEC)).not.toThrow();
  });

  it('refuses what the link cannot carry before anything is sent', () => {
    expect(() => authorizationMessage({ ...request, currency: 'XXX' })).toThrow(RangeError);
    expect(() => authorizationMessage({ ...request, amountMinor: 0n })).toThrow(RangeError);
    expect(() => authorizationMessage({ ...request, stan: 1_000_000 })).toThrow(RangeError);
    expect(() => authorizationMessage({ ...request, localTime: '2026-11-25 09:05' })).toThrow(
      RangeError,
    );
    for (const length of [0, 7, 12, 24]) {
      const odd = { ...card, zonePinBlock: new Secret(Buffer.alloc(length, 0xa5)) };
      expect(() => authorizationMessage({ ...request, card: odd })).toThrow(/field 52/);
    }
  });

  it('sends an AES terminal’s 16-byte format 4 PIN block in field 52, after the length 16', () => {
    const block = Buffer.from('00112233445566778899AABBCCDDEEFF', 'hex');
    const aesCard = { ...card, zonePinBlock: new Secret(block) };
    const message = authorizationMessage({
      ...request,
      terminal: aTerminalProfile('aes128'),
      card: aesCard,
    });
    expect(message.fields[52]).toEqual(block);
    const wire = Buffer.from(pack(message, ACQUIRER_SPEC));
    expect(wire.includes(Buffer.concat([Buffer.from('16', 'ascii'), block]))).toBe(true);
    expect(unpack(wire, ACQUIRER_SPEC).fields[52]).toEqual(new Uint8Array(block));
  });

  const reversal: IssuerReversal = {
    paymentId: 'p-1',
    terminalId: 'TERM0001',
    cardAcceptorId: 'SHOP42',
    originalMti: '0200',
    originalStan: 42,
    originalLocalTime: '2026-11-25T09:05:07',
    rrn: '533009000042',
    amountMinor: 1_234n,
    currency: 'EUR',
    reasonCode: '68',
  };

  it.each([
    [false, '0400'],
    [true, '0401'],
  ])(
    'builds the reversal (repeat %s: %s) from the original data elements, with no card data',
    (repeat, mti) => {
      const message = reversalMessage(reversal, repeat, new Date('2026-11-25T09:06:00Z'));
      expect(message.mti).toBe(mti);
      expect(Object.keys(message.fields).map(Number)).toEqual([
        3, 4, 7, 11, 12, 13, 22, 25, 37, 39, 41, 42, 49, 90,
      ]);
      expect(message.fields).toMatchObject({
        4: '000000001234',
        7: '1125090600',
        11: '000042',
        39: '68',
        49: '978',
        90: {
          originalMti: '0200',
          originalStan: '000042',
          // Field 7 of the original, rebuilt from its local time.
          originalTransmissionDateTime: authorizationMessage(request).fields[7],
          originalAcquirerId: '00000000000',
          originalForwarderId: '00000000000',
        },
      });
      expect(unpack(pack(message, ACQUIRER_SPEC), ACQUIRER_SPEC)).toEqual(message);
    },
  );
});
