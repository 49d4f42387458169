import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { CardProfile } from '@tillgate/emv';
import {
  cardAccountFromSeed,
  loadCardAccountFile,
  type CryptogramVersionName,
} from '@tillgate/issuer-simulator';

/**
 * The cards the issuer simulator holds by default (ISSUER_SIM_CARD_SEEDS):
 * each is `generateCardProfile(seededRandom(name))`, so the terminal and
 * the simulator derive the same card, keys and PIN from the name alone.
 */
export const BUILT_IN_TEST_CARDS = ['tillgate-demo-card-1', 'tillgate-demo-card-2'] as const;
export const DEFAULT_TEST_CARD = BUILT_IN_TEST_CARDS[0];

/** A test card inserted into the terminal. Test data: it holds the PIN and keys in clear. */
export interface TestCard {
  /** The seed or file it came from. */
  readonly name: string;
  readonly profile: CardProfile;
  /** The CVN the card's application computes cryptograms with (the issuer's account says which). */
  readonly cryptogramVersion: CryptogramVersionName;
  /** Names the card in the terminal's state file without its PAN. */
  readonly stateKey: string;
}

/**
 * A card by file or name: a `*.json` path (a profile as `npx tillgate emv
 * card-profile new` writes it, or `{ profile, account }` as the issuer
 * simulator reads it), otherwise a seed, as the issuer simulator's
 * ISSUER_SIM_CARD_SEEDS. Loading goes through the issuer simulator's own
 * loaders so both sides agree on the card and its CVN.
 */
export function loadTestCard(nameOrFile: string): TestCard {
  const isFile = nameOrFile.endsWith('.json') || existsSync(nameOrFile);
  const account = isFile ? loadCardAccountFile(nameOrFile) : cardAccountFromSeed(nameOrFile);
  return {
    name: nameOrFile,
    profile: account.profile,
    cryptogramVersion: account.terms.cryptogramVersion,
    stateKey: `card-${createHash('sha256').update(account.profile.pan).digest('hex').slice(0, 16)}`,
  };
}
