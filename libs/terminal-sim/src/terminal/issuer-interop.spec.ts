import { randomBytes } from 'node:crypto';
import { Pan, hexToBytes } from '@tillgate/crypto';
import { decodeTlv, encodeTlv, findValue, type TlvNode } from '@tillgate/emv';
import { transmissionDateTime } from '@tillgate/host-link';
import type { IsoMessage } from '@tillgate/iso8583';
import { SimulatedIssuer, cardAccountFromSeed } from '@tillgate/issuer-simulator';
import { SimulatedCard } from '../card/simulated-card';
import { loadTestCard } from '../card/test-cards';
import { dukptTransaction, injectInitialKey, padTrackData } from '../dukpt/terminal-dukpt';
import { DEFAULT_KERNEL_CONFIG, completeOnline, runToFirstGenerateAc } from '../emv/emv-kernel';
import { TEST_TERMINAL_KEYS, type DukptSchemeName } from '../keys/test-terminal-keys';
import { TEST_ZONE_PIN_KEYS, testKeyStore } from '../testing/test-key-store';

/**
 * The terminal and the real issuer simulator agree on the test cards: what
 * the terminal sends, once opened by the gateway's key store (track 2
 * decrypted, PIN translated to the zone key) and put in an 0200 as the
 * gateway would, is approved by the SimulatedIssuer (ARQC, PIN, ATC), and
 * the card accepts the simulator's ARPC in the second GENERATE AC.
 */
const NAME = 'tillgate-demo-card-1';
const at = new Date(2026, 10, 25, 14, 30, 0);
const two = (n: number) => String(n).padStart(2, '0');

async function pay(scheme: DukptSchemeName, pin: string | undefined, atc: number) {
  const card = loadTestCard(NAME);
  const issuer = new SimulatedIssuer({
    cards: [cardAccountFromSeed(NAME)],
    zonePinKey: hexToBytes(TEST_ZONE_PIN_KEYS.tdes.hex),
    aesZonePinKey: hexToBytes(TEST_ZONE_PIN_KEYS.aes.hex),
    now: () => at,
  });
  const chip = new SimulatedCard(card, atc);
  const emv = runToFirstGenerateAc(
    chip,
    { ...DEFAULT_KERNEL_CONFIG, caKeys: [card.profile.ca] },
    {
      amountMinor: 1250n,
      currencyNumeric: '156',
      transactionType: '00',
      date: at,
      pinEntered: true,
      unpredictableNumber: randomBytes(4),
    },
  );
  const dukpt = dukptTransaction(injectInitialKey(TEST_TERMINAL_KEYS[scheme]), atc);
  const encryptedTrack2 = dukpt.encryptData(padTrackData(emv.track2, scheme));
  const encryptedPin = dukpt.encryptPinBlock(pin ?? card.profile.pin, emv.pan);

  // The gateway's side, with its key store.
  const store = await testKeyStore();
  const bdk = { id: TEST_TERMINAL_KEYS[scheme].keyId };
  const [track2] = await store.decryptTrackData({
    bdk,
    ksn: dukpt.ksn,
    encryptedData: [encryptedTrack2],
  });
  const track2Text = track2!.expose().toString('hex').toUpperCase().replace(/F+$/, '');
  const zone = TEST_ZONE_PIN_KEYS[scheme];
  const zonePin = await store.translatePinBlock({
    pan: Pan.parse(track2Text.split('D')[0]!),
    source: { bdk, ksn: dukpt.ksn, pinBlock: encryptedPin, format: scheme === 'tdes' ? 0 : 4 },
    destination: { key: { id: zone.id }, format: zone.format },
  });
  const request: IsoMessage = {
    mti: '0200',
    fields: {
      3: { transactionType: '00', fromAccount: '00', toAccount: '00' },
      4: '000000001250',
      7: transmissionDateTime(at),
      11: String(atc).padStart(6, '0'),
      12: `${two(at.getUTCHours())}${two(at.getUTCMinutes())}${two(at.getUTCSeconds())}`,
      13: `${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}`,
      14: card.profile.expiryDate.slice(0, 4),
      22: { panEntryMode: '05', pinEntryCapability: '1' },
      23: `0${card.profile.panSequenceNumber}`,
      25: '00',
      35: track2Text.replace('D', '='),
      41: 'TERM0001',
      42: 'MERCHANT0000001',
      49: '156',
      52: zonePin.pinBlock,
      55: decodeTlv(emv.iccData),
    },
  };
  const response = issuer.handle(request)!;
  const f55 = response.fields[55] as TlvNode[] | undefined;
  const second = completeOnline(chip, emv, {
    responseCode: response.fields[39] as string,
    issuerData: f55 ? encodeTlv(f55) : new Uint8Array(0),
  });
  return { responseCode: response.fields[39], tag91: f55 && findValue(f55, '91'), second };
}

describe.each(['tdes', 'aes'] as const)(
  'terminal (%s DUKPT) against the real issuer simulator',
  (scheme) => {
    it('the issuer approves the terminal ARQC and PIN; the card accepts its ARPC: TC', async () => {
      const { responseCode, tag91, second } = await pay(scheme, undefined, 1);
      expect(responseCode).toBe('00');
      expect(tag91).toBeDefined();
      expect(second).toMatchObject({
        decision: 'TC',
        issuerAuthentication: { present: true, valid: true },
      });
    });

    it('a wrong PIN: the issuer answers 55 with an ARPC, the card declines with an AAC', async () => {
      const card = loadTestCard(NAME);
      const wrong = card.profile.pin === '0000' ? '1111' : '0000';
      const { responseCode, second } = await pay(scheme, wrong, 1);
      expect(responseCode).toBe('55');
      expect(second).toMatchObject({
        decision: 'AAC',
        issuerAuthentication: { present: true, valid: true },
      });
    });
  },
);
