import type { cardInsertV1 } from '@tillgate/contracts';
import { isCryptoError, parseKsn, type Ksn } from '@tillgate/crypto';
import { isKeyStoreError, type DukptKsnGrant, type KeyStore } from '@tillgate/key-store';
import {
  CardInsertRequestRefused,
  type KsnAcceptance,
  type KsnChannel,
  type TerminalAuthenticator,
  type TerminalProfile,
} from '../acquiring.ports';
import {
  requestMacInput,
  responseMacInput,
  type CardInsertOperation,
  type CardInsertRequests,
  type CardInsertResponses,
} from '../../protocol/mac-input';
import { DUKPT_SCHEME_VALUES, KSN_LENGTHS, PROTOCOL_MAC_LENGTH } from './dukpt-scheme';

const macRefused = (message: string) =>
  new CardInsertRequestRefused(
    'MAC_VERIFICATION_FAILED',
    'authentication.mac',
    message,
    'UNAUTHENTICATED',
    'mac_verification_failed',
  );

const ksnInvalid = (message: string) =>
  new CardInsertRequestRefused('KSN_INVALID', 'authentication.ksn', message, 'INVALID_ARGUMENT');

/** An acceptance of KeyStoreTerminalAuthenticator: the key store's grant for the channels. */
export interface KeyStoreKsnAcceptance extends KsnAcceptance {
  readonly grant: DukptKsnGrant;
}

/** The key store's grant in an acceptance; one from another authenticator is a wiring error. */
export function dukptKsnGrantOf(acceptance: KsnAcceptance): DukptKsnGrant {
  const { grant } = acceptance as Partial<KeyStoreKsnAcceptance>;
  if (grant === undefined)
    throw new Error('the KSN acceptance does not come from KeyStoreTerminalAuthenticator');
  return grant;
}

/**
 * The terminal's DUKPT keys, through the key store: the BDK never leaves it,
 * and neither does any key derived from it.
 *
 * The MAC check and the KSN replay refusal are two key-store calls
 * (`verifyDukptMac` with `ksnCounter: 'unchanged'`, then `acceptDukptKsn`)
 * because a retransmission carries its original KSN: it must still
 * authenticate, and its KSN's refusal as a replay is what sends the service
 * to what it recorded. `acceptDukptKsn` accepts every channel the request
 * uses in one counter write and returns the grant that track 2 decryption
 * and PIN translation then use (KeyStoreCardDataOpener) instead of
 * advancing the counter again.
 */
export class KeyStoreTerminalAuthenticator implements TerminalAuthenticator {
  constructor(private readonly keys: KeyStore) {}

  async verifyMac<K extends CardInsertOperation>(
    terminal: TerminalProfile,
    operation: K,
    request: CardInsertRequests[K],
  ): Promise<void> {
    const authentication = (request as { authentication?: cardInsertV1.MessageAuthentication })
      .authentication;
    const ksn = checkedKsn(terminal, authentication);
    const mac = Buffer.from(authentication?.mac ?? []);
    if (mac.length !== PROTOCOL_MAC_LENGTH)
      throw macRefused(`the MAC must be ${PROTOCOL_MAC_LENGTH} bytes, got ${mac.length}`);
    try {
      await this.keys.verifyDukptMac({
        bdk: terminal.bdk,
        ksn,
        message: requestMacInput(operation, request),
        mac,
        ksnCounter: 'unchanged',
      });
    } catch (error) {
      if (!isKeyStoreError(error)) throw error;
      if (error.code === 'MAC_VERIFICATION_FAILED')
        throw macRefused('the MAC does not verify under the terminal key for this KSN');
      if (error.code === 'INVALID_KSN') throw ksnInvalid('the KSN is not one the terminal can use');
      throw error;
    }
  }

  async acceptKsn(
    terminal: TerminalProfile,
    authentication: cardInsertV1.MessageAuthentication,
    channels: readonly KsnChannel[],
  ): Promise<KeyStoreKsnAcceptance> {
    const ksn = checkedKsn(terminal, authentication);
    try {
      const grant = await this.keys.acceptDukptKsn({ bdk: terminal.bdk, ksn, channels });
      return { channels, grant };
    } catch (error) {
      if (!isKeyStoreError(error)) throw error;
      if (error.code === 'KSN_REPLAY') {
        throw new CardInsertRequestRefused(
          'KSN_REPLAYED',
          'authentication.ksn',
          `KSN counter ${parsedKsn(ksn).counter} does not advance for this terminal`,
          'UNAUTHENTICATED',
          'ksn_replayed',
        );
      }
      if (error.code === 'INVALID_KSN') throw ksnInvalid('the KSN is not one the terminal can use');
      throw error;
    }
  }

  async signResponse<K extends CardInsertOperation>(
    terminal: TerminalProfile,
    operation: K,
    response: CardInsertResponses[K],
    requestAuthentication: cardInsertV1.MessageAuthentication,
  ): Promise<cardInsertV1.MessageAuthentication> {
    const ksn = checkedKsn(terminal, requestAuthentication);
    const key = {
      scheme: DUKPT_SCHEME_VALUES[terminal.dukptScheme],
      ksn: new Uint8Array(ksn),
    };
    // The MAC input covers the scheme and KSN of the response itself, never its MAC.
    const message = responseMacInput(operation, {
      ...response,
      authentication: { ...key, mac: new Uint8Array() },
    } as CardInsertResponses[K]);
    const mac = await this.keys.generateDukptResponseMac({ bdk: terminal.bdk, ksn, message });
    return { ...key, mac: new Uint8Array(mac.subarray(0, PROTOCOL_MAC_LENGTH)) };
  }
}

/**
 * The KSN of a request, checked against the terminal's enrolment: its
 * scheme, its length, and (when the directory knows it) the device's
 * initial key ID, so one terminal cannot speak for another under a shared BDK.
 */
function checkedKsn(
  terminal: TerminalProfile,
  authentication: cardInsertV1.MessageAuthentication | undefined,
): Buffer {
  if (!authentication) {
    throw new CardInsertRequestRefused(
      'AUTHENTICATION_MISSING',
      'authentication',
      'is required',
      'UNAUTHENTICATED',
    );
  }
  if (authentication.scheme !== DUKPT_SCHEME_VALUES[terminal.dukptScheme]) {
    throw new CardInsertRequestRefused(
      'DUKPT_SCHEME_MISMATCH',
      'authentication.scheme',
      `the terminal is enrolled for ${terminal.dukptScheme} DUKPT`,
      'UNAUTHENTICATED',
      'mac_verification_failed',
    );
  }
  const ksn = Buffer.from(authentication.ksn);
  const length = KSN_LENGTHS[terminal.dukptScheme];
  if (ksn.length !== length) throw ksnInvalid(`a ${terminal.dukptScheme} KSN is ${length} bytes`);
  if (terminal.initialKeyId !== undefined) {
    const parsed = parsedKsn(ksn);
    const initial = parsed.scheme === 'tdes' ? parsed.initialKsn : parsed.initialKeyId;
    if (initial.toString('hex').toUpperCase() !== terminal.initialKeyId.toUpperCase()) {
      throw new CardInsertRequestRefused(
        'KSN_OTHER_DEVICE',
        'authentication.ksn',
        'the KSN belongs to another device than the one enrolled for this terminal',
        'UNAUTHENTICATED',
        'mac_verification_failed',
      );
    }
  }
  return ksn;
}

function parsedKsn(ksn: Buffer): Ksn {
  try {
    return parseKsn(ksn);
  } catch (error) {
    if (isCryptoError(error)) throw ksnInvalid('the KSN is not one the terminal can use');
    throw error;
  }
}
