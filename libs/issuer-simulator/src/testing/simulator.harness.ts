import {
  generateCardProfile,
  generateTestCa,
  seededRandom,
  type CardProfile,
  type CardProfileOptions,
} from '@tillgate/emv';
import { HostLink, type HostLinkOptions, type UnmatchedMessage } from '@tillgate/host-link';
import { createLogger } from '@tillgate/platform';
import { defaultTerms, type AccountTerms, type CardAccount } from '../cards/card-account';
import { IssuerHost } from '../host/issuer-host';
import { SimulatedIssuer } from '../issuer/simulated-issuer';
import { ChipCardEmulator } from './chip-card.emulator';

/** The zone PIN key of every test (X9.24 example key; test only). */
export const ZONE_PIN_KEY = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
/** The AES-128 zone PIN key of every test, for 16-byte (format 4) field 52 (FIPS-197 C.1 key; test only). */
export const AES_ZONE_PIN_KEY = Buffer.from('000102030405060708090A0B0C0D0E0F', 'hex');

let testCa: ReturnType<typeof generateTestCa> | undefined;

/** A test card from a seed; all cards of a test file share one test CA (RSA generation is the slow part). */
export function aCardProfile(
  seed: string,
  changes: Omit<Partial<CardProfileOptions>, 'random'> = {},
): CardProfile {
  testCa ??= generateTestCa({ random: seededRandom('issuer-simulator-test-ca') });
  return generateCardProfile({ random: seededRandom(seed), ca: testCa, ...changes });
}

export function anAccount(profile: CardProfile, terms: Partial<AccountTerms> = {}): CardAccount {
  return { profile, terms: defaultTerms(profile, terms) };
}

export function emulatorFor(account: CardAccount): ChipCardEmulator {
  return new ChipCardEmulator(account.profile, {
    zonePinKey: ZONE_PIN_KEY,
    cryptogramVersion: account.terms.cryptogramVersion,
  });
}

export interface Harness {
  readonly issuer: SimulatedIssuer;
  readonly host: IssuerHost;
  readonly link: HostLink;
  /** Late, unknown and unsolicited messages the link handed to its handler. */
  readonly unmatched: UnmatchedMessage[];
  /** Every log line of the simulator (JSON). */
  readonly logs: string[];
  close(): Promise<void>;
}

/**
 * The simulator on a free port, with both test zone PIN keys (ZONE_PIN_KEY
 * for 8-byte, AES_ZONE_PIN_KEY for 16-byte PIN blocks), and a host link
 * connected and signed on to it, over real TCP.
 */
export async function startHarness(
  cards: readonly CardAccount[],
  link: Partial<HostLinkOptions> = {},
): Promise<Harness> {
  const logs: string[] = [];
  const logger = createLogger(
    { level: 'info', name: 'issuer-simulator' },
    { write: (line: string) => logs.push(line) },
  );
  const issuer = new SimulatedIssuer({
    cards,
    zonePinKey: ZONE_PIN_KEY,
    aesZonePinKey: AES_ZONE_PIN_KEY,
    logger,
  });
  const host = await IssuerHost.start({ issuer, port: 0, logger });
  const unmatched: UnmatchedMessage[] = [];
  const hostLink = new HostLink({
    host: '127.0.0.1',
    port: host.port,
    requestTimeoutMs: 2_000,
    keepAlive: false,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    onUnmatched: (u) => unmatched.push(u),
    logger: createLogger({ level: 'silent' }),
    ...link,
  });
  hostLink.start();
  await hostLink.waitUntilReady(3_000);
  return {
    issuer,
    host,
    link: hostLink,
    unmatched,
    logs,
    async close() {
      await hostLink.close();
      await host.close();
    },
  };
}
