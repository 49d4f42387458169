import { cardInsertV1 } from '@tillgate/contracts';
import {
  aesCmac,
  aesDukpt,
  aesEncryptCbc,
  aesKsnWithCounter,
  encryptPinBlock,
  hexToBytes,
  macIso9797Alg3,
  tdesDukpt,
  tdesEncryptCbc,
  tdesKsnWithCounter,
  type AesDukptUsage,
} from '@tillgate/crypto';
import { aKeyStore, type KeyStoreLogger } from '@tillgate/key-store';
import {
  requestMacInput,
  responseMacInput,
  type CardInsertOperation,
  type CardInsertRequests,
  type CardInsertResponses,
} from '../../protocol/mac-input';
import type { DukptSchemeName, TerminalProfile } from '../acquiring.ports';
import { DUKPT_SCHEME_VALUES } from '../terminal/dukpt-scheme';

/**
 * A secure POS terminal for tests, built from @tillgate/crypto only: it holds
 * the initial key loaded at injection (never the BDK) and produces exactly
 * what a terminal sends: the MAC over `requestMacInput`, track 2 encrypted
 * under the DUKPT data key, the PIN block under the DUKPT PIN key.
 * TEST KEYS ONLY: both BDKs are published in ANSI X9.24.
 */
export const TEST_BDKS = {
  /** X9.24-1:2009 Annex A.4 test BDK and initial KSN. */
  tdes: {
    id: 'bdk.tdes',
    hex: '0123456789ABCDEFFEDCBA9876543210',
    initialKeyId: 'FFFF9876543210E00000',
  },
  /** X9.24-3:2017 Annex B.1 AES-128 test BDK and initial key ID. */
  aes128: {
    id: 'bdk.aes',
    hex: 'FEDCBA9876543210F1F1F1F1F1F1F1F1',
    initialKeyId: '1234567890123456',
  },
} as const;

/**
 * The zone PIN keys of the acquirer link, the same as the issuer simulator's
 * test keys: TDES its ZONE_PIN_KEY (8-byte field 52), AES-128 its
 * AES_ZONE_PIN_KEY (16-byte field 52, ISO 9564 format 4). AES-128 is as
 * strong as an AES-128 DUKPT PIN key, so the key store translates to it.
 */
export const ZONE_KEYS = {
  tdes: { id: 'zpk.tdes', hex: '0123456789ABCDEFFEDCBA9876543210' },
  aes: { id: 'zpk.aes', hex: '000102030405060708090A0B0C0D0E0F' },
} as const;
export const PAN_TOKEN_KEY = {
  id: 'pan-token',
  hex: '2B7E151628AED2A6ABF7158809CF4F3C2B7E151628AED2A6ABF7158809CF4F3C',
} as const;

/** A software key store on in-memory repositories holding the keys above. */
export function anAcquiringKeyStore(logger?: KeyStoreLogger) {
  const builder = aKeyStore();
  if (logger) builder.withLogger(logger);
  return builder
    .withKey({ id: TEST_BDKS.tdes.id, kind: 'bdk', algorithm: 'tdes', key: TEST_BDKS.tdes.hex })
    .withKey({ id: TEST_BDKS.aes128.id, kind: 'bdk', algorithm: 'aes', key: TEST_BDKS.aes128.hex })
    .withKey({
      id: ZONE_KEYS.tdes.id,
      kind: 'pin-encryption',
      algorithm: 'tdes',
      key: ZONE_KEYS.tdes.hex,
    })
    .withKey({
      id: ZONE_KEYS.aes.id,
      kind: 'pin-encryption',
      algorithm: 'aes',
      key: ZONE_KEYS.aes.hex,
    })
    .withKey({
      id: PAN_TOKEN_KEY.id,
      kind: 'pan-token',
      algorithm: 'hmac-sha256',
      key: PAN_TOKEN_KEY.hex,
    })
    .build();
}

export const ZONE_PIN_KEYS = {
  tdes: { key: { id: ZONE_KEYS.tdes.id }, format: 0 },
  aes128: { key: { id: ZONE_KEYS.aes.id }, format: 4 },
} as const;

export function aTerminalProfile(
  scheme: DukptSchemeName,
  changes: Partial<TerminalProfile> = {},
): TerminalProfile {
  return {
    terminalId: scheme === 'tdes' ? 'TERM0001' : 'TERM0002',
    merchantId: 'merchant-1',
    merchantName: 'Tillgate Test Shop',
    merchantCity: 'Shanghai',
    cardAcceptorId: 'MERCHANT0000001',
    currency: 'CNY',
    bdk: { id: TEST_BDKS[scheme].id },
    dukptScheme: scheme,
    ...changes,
  };
}

/** The card as the terminal reads it: tag 57 and the PIN the cardholder types. */
export interface TerminalCard {
  /** Track 2 equivalent data, tag 57 (BCD, 'D' separator, F padded). */
  readonly track2: Buffer;
  readonly pan: string;
  readonly pin?: string;
  readonly iccData: Buffer;
}

export interface AuthorizeInput {
  readonly counter: number;
  readonly card: TerminalCard;
  readonly stan?: number;
  readonly amountMinor?: bigint;
  readonly currency?: string;
  readonly localTime?: string;
  readonly kind?: cardInsertV1.AuthorizationKind;
}

export class SecureTerminal {
  readonly #initialKey: Buffer;
  readonly #initialKeyId: Buffer;

  constructor(readonly profile: TerminalProfile) {
    const bdk = TEST_BDKS[profile.dukptScheme];
    this.#initialKeyId = hexToBytes(bdk.initialKeyId);
    this.#initialKey =
      profile.dukptScheme === 'tdes'
        ? tdesDukpt.deriveIpek(hexToBytes(bdk.hex), this.#initialKeyId)
        : aesDukpt.deriveInitialKey(hexToBytes(bdk.hex), this.#initialKeyId);
  }

  ksn(counter: number): Buffer {
    return this.profile.dukptScheme === 'tdes'
      ? tdesKsnWithCounter(this.#initialKeyId, counter)
      : aesKsnWithCounter(this.#initialKeyId, counter);
  }

  /** The working key of one usage at one counter, derived the way the device does. */
  private key(counter: number, usage: 'mac' | 'mac-response' | 'data' | 'pin'): Buffer {
    const ksn = this.ksn(counter);
    if (this.profile.dukptScheme === 'tdes') {
      const tk = tdesDukpt.deriveTransactionKey(this.#initialKey, ksn);
      const tdesUsage = {
        mac: 'mac-request',
        'mac-response': 'mac-response',
        data: 'data-request',
        pin: 'pin',
      } as const;
      return tdesDukpt.workingKey(tk, tdesUsage[usage]);
    }
    const tk = aesDukpt.deriveTransactionKey(this.#initialKey, ksn);
    const aesUsage: Record<typeof usage, AesDukptUsage> = {
      mac: 'mac-generation',
      'mac-response': 'mac-verification',
      data: 'data-encrypt',
      pin: 'pin',
    };
    return aesDukpt.workingKey(tk, { ksn, usage: aesUsage[usage], keyType: 'aes128' });
  }

  private mac(counter: number, usage: 'mac' | 'mac-response', data: Buffer): Buffer {
    const key = this.key(counter, usage);
    const full =
      this.profile.dukptScheme === 'tdes' ? macIso9797Alg3(key, data, 1) : aesCmac(key, data);
    return full.subarray(0, 8);
  }

  /** Track 2 padded with F nibbles to the cipher block, CBC with a zero IV under the data key. */
  encryptTrack2(counter: number, track2: Buffer): Buffer {
    const block = this.profile.dukptScheme === 'tdes' ? 8 : 16;
    const padded = Buffer.alloc(Math.ceil(track2.length / block) * block, 0xff);
    track2.copy(padded);
    const key = this.key(counter, 'data');
    return this.profile.dukptScheme === 'tdes'
      ? tdesEncryptCbc(key, padded)
      : aesEncryptCbc(key, padded);
  }

  encryptPin(counter: number, pin: string, pan: string): Buffer {
    return encryptPinBlock({
      format: this.profile.dukptScheme === 'tdes' ? 0 : 4,
      key: this.key(counter, 'pin'),
      pin,
      pan,
    });
  }

  /** Puts the authentication (scheme, KSN, MAC over the canonical input) on a request. */
  sign<K extends CardInsertOperation>(
    operation: K,
    request: CardInsertRequests[K],
    counter: number,
  ): CardInsertRequests[K] {
    const key = { scheme: DUKPT_SCHEME_VALUES[this.profile.dukptScheme], ksn: this.ksn(counter) };
    const unsigned = { ...request, authentication: { ...key, mac: new Uint8Array() } };
    const mac = this.mac(counter, 'mac', requestMacInput(operation, unsigned));
    return { ...unsigned, authentication: { ...key, mac } };
  }

  authorize(input: AuthorizeInput): cardInsertV1.AuthorizeRequest {
    const { counter, card } = input;
    return this.sign(
      'Authorize',
      {
        header: {
          terminalId: this.profile.terminalId,
          stan: input.stan ?? counter,
          localTime: input.localTime ?? '2026-11-25T14:30:00',
          clientRequestId: `req-${counter}`,
        },
        kind: input.kind ?? cardInsertV1.AuthorizationKind.AUTHORIZATION_KIND_SALE,
        amount: {
          amountMinor: String(input.amountMinor ?? 1_000n),
          currency: input.currency ?? 'CNY',
        },
        card: {
          iccData: card.iccData,
          encryptedTrack2: this.encryptTrack2(counter, card.track2),
          encryptedPinBlock:
            card.pin === undefined
              ? new Uint8Array()
              : this.encryptPin(counter, card.pin, card.pan),
        },
        authentication: undefined,
      },
      counter,
    );
  }

  /** True when the response's MAC verifies under this terminal's response MAC key at the request's KSN. */
  verifyResponse<K extends CardInsertOperation>(
    operation: K,
    response: CardInsertResponses[K],
    counter: number,
  ): boolean {
    const authentication = (response as { authentication?: cardInsertV1.MessageAuthentication })
      .authentication;
    if (!authentication) return false;
    const expected = this.mac(counter, 'mac-response', responseMacInput(operation, response));
    return Buffer.from(authentication.mac).equals(expected);
  }
}
