import type { cardInsertV1 } from '@tillgate/contracts';
import { Pan, Secret } from '@tillgate/crypto';
import { decodeTlv, findValue, TlvError, type TlvNode } from '@tillgate/emv';
import {
  isKeyStoreError,
  type KeyRef,
  type KeyStore,
  type DukptKsnGrant,
  type KeyStoreError,
  type OutgoingPinBlockFormat,
} from '@tillgate/key-store';
import {
  CardInsertRequestRefused,
  type CardDataOpener,
  type DukptSchemeName,
  type KsnAcceptance,
  type OpenedCard,
  type TerminalProfile,
} from '../acquiring.ports';
import { KSN_LENGTHS } from '../terminal/dukpt-scheme';
import { dukptKsnGrantOf } from '../terminal/key-store-terminal.authenticator';
import { cardSchemeOf } from './card-scheme';
import { parseTrack2, Track2Malformed } from './track2.parser';

/** A zone PIN key shared with the issuer side, and the ISO 9564 format field 52 carries under it. */
export interface ZonePinKey {
  readonly key: KeyRef;
  readonly format: OutgoingPinBlockFormat;
}

export interface KeyStoreCardDataOpenerOptions {
  readonly keys: KeyStore;
  /** The HMAC key PAN tokens are computed with (kind `pan-token`). */
  readonly panTokenKey: KeyRef;
  /**
   * The acquirer zone PIN key per terminal DUKPT scheme. The key store never
   * translates a PIN to a key weaker than the terminal's PIN key, so AES
   * DUKPT terminals (AES-128 PIN key, format 4) need an AES zone key
   * (format 4); a TDES zone key serves TDES DUKPT terminals (format 0).
   * A terminal whose scheme has none cannot send an online PIN.
   */
  readonly zonePinKeys: Readonly<Partial<Record<DukptSchemeName, ZonePinKey>>>;
}

/** ISO 8583 field 55 is b..255 on the acquirer link. */
const MAX_ICC_DATA = 255;
/**
 * Data objects that carry card data in clear (PAN, track data, cardholder
 * name, PIN): a secure terminal sends them encrypted or not at all, and the
 * ICC data is stored and forwarded as it is, so they are refused there.
 */
const CLEAR_CARD_DATA_TAGS = new Set([
  '56',
  '57',
  '5A',
  '5F20',
  '99',
  '9F0B',
  '9F1F',
  '9F20',
  '9F6B',
]);
/** EMV Book 2 §8.1: the ARQC is 8 bytes; without it there is nothing for the issuer to authenticate. */
const ARQC_TAG = '9F26';
/** Tag 57 is at most 19 bytes: padded to the cipher block, at most 24 (TDES) or 32 (AES) bytes. */
const TRACK2_BLOCK: Readonly<Record<DukptSchemeName, number>> = { tdes: 8, aes128: 16 };
const MAX_ENCRYPTED_TRACK2: Readonly<Record<DukptSchemeName, number>> = { tdes: 24, aes128: 32 };
/** The terminal's PIN block: ISO 9564 format 0 under TDES DUKPT (8 bytes), format 4 under AES DUKPT (16). */
const TERMINAL_PIN_BLOCK: Readonly<Record<DukptSchemeName, { format: 0 | 4; length: number }>> = {
  tdes: { format: 0, length: 8 },
  aes128: { format: 4, length: 16 },
};

const refused = (
  code: string,
  field: string,
  message: string,
  security?: 'card_data_undecryptable' | 'ksn_replayed',
) =>
  new CardInsertRequestRefused(
    code,
    field,
    message,
    security === 'ksn_replayed' ? 'UNAUTHENTICATED' : 'INVALID_ARGUMENT',
    security,
  );

/** The request's KSN and the key store's grant of it (from KeyStoreTerminalAuthenticator.acceptKsn). */
interface UnderKsn {
  readonly ksn: Buffer;
  readonly grant: DukptKsnGrant;
}

/**
 * Opens the card data of an Authorize request inside the key store: track 2
 * is decrypted under the terminal's DUKPT data key and parsed in memory, the
 * PIN block goes from the DUKPT PIN key to the zone PIN key without leaving
 * the store, and the PAN becomes a token and a masked form. Refusals name
 * the request field and never quote card data; the key store's own messages
 * (which name keys and KSN counters) are not passed on either.
 */
export class KeyStoreCardDataOpener implements CardDataOpener {
  constructor(private readonly options: KeyStoreCardDataOpenerOptions) {}

  async open(
    terminal: TerminalProfile,
    request: cardInsertV1.AuthorizeRequest,
    acceptance: KsnAcceptance,
  ): Promise<OpenedCard> {
    const card = request.card;
    if (!card) throw refused('CARD_MISSING', 'card', 'is required');
    const ksn = Buffer.from(request.authentication?.ksn ?? []);
    if (ksn.length !== KSN_LENGTHS[terminal.dukptScheme])
      throw refused('KSN_INVALID', 'authentication.ksn', 'is not a KSN of the terminal scheme');

    const grant = dukptKsnGrantOf(acceptance);
    const icc = checkIccData(Buffer.from(card.iccData));
    const track2 = await this.decryptTrack2(
      terminal,
      { ksn, grant },
      Buffer.from(card.encryptedTrack2),
    );
    let pan: Pan;
    try {
      pan = Pan.parse(track2.pan);
    } catch {
      throw refused(
        'TRACK2_MALFORMED',
        'card.encrypted_track2',
        'track 2 does not decrypt to a valid PAN',
        'card_data_undecryptable',
      );
    }
    const encryptedPin = Buffer.from(card.encryptedPinBlock);
    // Independent key-store operations on the PAN: side by side.
    const [{ token }, zonePinBlock] = await Promise.all([
      this.options.keys.tokenizePan({ key: this.options.panTokenKey, pan }),
      encryptedPin.length === 0
        ? undefined
        : this.translatePin(terminal, { ksn, grant }, pan, encryptedPin),
    ]);
    return {
      pan,
      track2: new Secret(Buffer.from(track2.text, 'ascii')),
      expiry: track2.expiry,
      ...(icc.panSequenceNumber !== undefined ? { panSequenceNumber: icc.panSequenceNumber } : {}),
      panToken: token,
      maskedPan: pan.masked,
      scheme: cardSchemeOf(track2.pan),
      ...(zonePinBlock ? { zonePinBlock } : {}),
      iccData: icc.nodes,
    };
  }

  private async decryptTrack2(terminal: TerminalProfile, under: UnderKsn, encrypted: Buffer) {
    const block = TRACK2_BLOCK[terminal.dukptScheme];
    if (
      encrypted.length === 0 ||
      encrypted.length % block !== 0 ||
      encrypted.length > MAX_ENCRYPTED_TRACK2[terminal.dukptScheme]
    ) {
      throw refused(
        'TRACK2_LENGTH',
        'card.encrypted_track2',
        `must be 1 to ${MAX_ENCRYPTED_TRACK2[terminal.dukptScheme] / block} cipher blocks of ${block} bytes`,
      );
    }
    let clear: Secret<Buffer>;
    try {
      [clear] = (await this.options.keys.decryptTrackData({
        bdk: terminal.bdk,
        ...under,
        encryptedData: [encrypted],
      })) as [Secret<Buffer>];
    } catch (error) {
      throw keyStoreRefusal(error, 'card.encrypted_track2', 'TRACK2_UNDECRYPTABLE');
    }
    const bytes = clear.expose();
    try {
      return parseTrack2(bytes);
    } catch (error) {
      if (!(error instanceof Track2Malformed)) throw error;
      // Under the wrong key, CBC "decrypts" to noise: that is how a bad ciphertext shows.
      throw refused(
        'TRACK2_MALFORMED',
        'card.encrypted_track2',
        `does not decrypt to track 2 equivalent data (${error.problem})`,
        'card_data_undecryptable',
      );
    } finally {
      bytes.fill(0);
    }
  }

  private async translatePin(
    terminal: TerminalProfile,
    under: UnderKsn,
    pan: Pan,
    pinBlock: Buffer,
  ): Promise<Secret<Buffer>> {
    const zone = this.options.zonePinKeys[terminal.dukptScheme];
    if (!zone) {
      throw new CardInsertRequestRefused(
        'ONLINE_PIN_UNSUPPORTED',
        'card.encrypted_pin_block',
        `online PIN is not configured for ${terminal.dukptScheme} DUKPT terminals`,
        'FAILED_PRECONDITION',
      );
    }
    const expected = TERMINAL_PIN_BLOCK[terminal.dukptScheme];
    if (pinBlock.length !== expected.length) {
      throw refused(
        'PIN_BLOCK_LENGTH',
        'card.encrypted_pin_block',
        `a format ${expected.format} PIN block is ${expected.length} bytes`,
      );
    }
    try {
      const translated = await this.options.keys.translatePinBlock({
        pan,
        source: { bdk: terminal.bdk, ...under, pinBlock, format: expected.format },
        destination: zone,
      });
      return new Secret(translated.pinBlock);
    } catch (error) {
      throw keyStoreRefusal(error, 'card.encrypted_pin_block', 'PIN_BLOCK_UNDECRYPTABLE');
    }
  }
}

interface CheckedIccData {
  readonly nodes: readonly TlvNode[];
  readonly panSequenceNumber?: string;
}

/** Strict BER-TLV (no padding between objects), the ARQC present, no card data in clear. */
function checkIccData(bytes: Buffer): CheckedIccData {
  const malformed = (why: string) => refused('ICC_DATA_MALFORMED', 'card.icc_data', why);
  if (bytes.length === 0) throw malformed('is required');
  if (bytes.length > MAX_ICC_DATA) throw malformed(`is longer than ${MAX_ICC_DATA} bytes`);
  let nodes: TlvNode[];
  try {
    nodes = decodeTlv(bytes, { padding: 'none' });
  } catch (error) {
    if (!(error instanceof TlvError)) throw error;
    throw malformed(
      `is not BER-TLV (${error.code}${error.offset === undefined ? '' : ` at byte ${error.offset}`})`,
    );
  }
  const clearCardData = findTag(nodes, (tag) => CLEAR_CARD_DATA_TAGS.has(tag));
  if (clearCardData) throw malformed(`carries card data in clear (tag ${clearCardData})`);
  const arqc = findValue(nodes, ARQC_TAG);
  if (!arqc || arqc.length !== 8) throw malformed('has no 8-byte ARQC (9F26)');
  const psn = findValue(nodes, '5F34');
  let panSequenceNumber: string | undefined;
  if (psn !== undefined) {
    panSequenceNumber = Buffer.from(psn).toString('hex');
    if (!/^[0-9]{2}$/.test(panSequenceNumber))
      throw malformed('has a PAN sequence number (5F34) that is not one BCD byte');
  }
  return { nodes, ...(panSequenceNumber !== undefined ? { panSequenceNumber } : {}) };
}

function findTag(nodes: readonly TlvNode[], match: (tag: string) => boolean): string | undefined {
  for (const node of nodes) {
    if (match(node.tag)) return node.tag;
    if ('children' in node) {
      const inside = findTag(node.children, match);
      if (inside) return inside;
    }
  }
  return undefined;
}

/**
 * A key-store refusal of the terminal's data as the refusal of `field`;
 * the KSN's own refusals as `authentication.ksn`. Anything else (a missing
 * or retired key, a translation the policy forbids, a store failure) is the
 * gateway's problem, not the request's, and is thrown on unchanged.
 */
function keyStoreRefusal(error: unknown, field: string, code: string): unknown {
  if (!isKeyStoreError(error)) return error;
  const e: KeyStoreError = error;
  switch (e.code) {
    case 'KSN_REPLAY':
      return refused(
        'KSN_REPLAYED',
        'authentication.ksn',
        'the KSN was already used for this card data',
        'ksn_replayed',
      );
    case 'INVALID_KSN':
      return refused('KSN_INVALID', 'authentication.ksn', 'is not a KSN the terminal can use');
    case 'PIN_BLOCK_INVALID':
    case 'PIN_BLOCK_PAN_MISMATCH':
      return refused(
        code,
        field,
        'does not decrypt to a valid PIN block for this card',
        'card_data_undecryptable',
      );
    case 'INVALID_REQUEST':
      // The key type, the zone key and the KSN's grant are the gateway's choice, not the terminal's.
      return e.field === 'keyType' ||
        e.field?.startsWith('destination') ||
        e.field?.endsWith('grant')
        ? e
        : refused(code, field, 'is not valid encrypted card data', 'card_data_undecryptable');
    default:
      return e;
  }
}
