import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CardProfileError,
  cardProfileFromJson,
  generateCardProfile,
  seededRandom,
} from '@tillgate/emv';
import { z } from 'zod';
import {
  CRYPTOGRAM_VERSION_NAMES,
  defaultTerms,
  type AccountTerms,
  type CardAccount,
  type CryptogramVersionName,
} from './card-account';

/** A card file that cannot be used; `path` names the file and the offending property. */
export class CardFileError extends Error {
  override readonly name = 'CardFileError';

  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

const minorUnits = z.number().int().nonnegative().max(999_999_999_999);

const termsSchema = z
  .object({
    balance: minorUnits,
    currency: z.string().regex(/^\d{3}$/, 'expected an ISO 4217 numeric code'),
    cryptogramVersion: z.enum(
      CRYPTOGRAM_VERSION_NAMES as [CryptogramVersionName, ...CryptogramVersionName[]],
    ),
    pinTryLimit: z.number().int().min(1).max(15),
    perTransactionLimit: minorUnits,
    dailyLimit: minorUnits,
  })
  .partial()
  .strict();

/**
 * The card for a seed: `generateCardProfile` over `seededRandom(seed)`, the
 * same call `tillgate emv card-profile new --seed` makes, so a terminal
 * simulator given the same seed holds the same card.
 */
export function cardAccountFromSeed(seed: string, terms: Partial<AccountTerms> = {}): CardAccount {
  const profile = generateCardProfile({ random: seededRandom(seed) });
  return { profile, terms: defaultTerms(profile, terms) };
}

/**
 * Reads one card file: either a card profile as `tillgate emv card-profile
 * new` writes it, or `{ "profile": <card profile>, "account": <terms> }`.
 * Terms missing from the file come from `defaults`.
 */
export function cardAccountFromJson(
  json: unknown,
  source: string,
  defaults: Partial<AccountTerms> = {},
): CardAccount {
  const wrapped = typeof json === 'object' && json !== null && 'profile' in json;
  const profileJson = wrapped ? (json as { profile: unknown }).profile : json;
  let profile;
  try {
    profile = cardProfileFromJson(profileJson);
  } catch (error) {
    if (error instanceof CardProfileError) {
      throw new CardFileError(
        `${source} ${wrapped ? error.path.replace(/^\$/, '$.profile') : error.path}`,
        error.message.slice(error.path.length + 2),
      );
    }
    throw error;
  }
  const parsed = termsSchema.safeParse(
    wrapped ? ((json as { account?: unknown }).account ?? {}) : {},
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CardFileError(`${source} $.account.${issue.path.join('.')}`, issue.message);
  }
  return { profile, terms: defaultTerms(profile, { ...defaults, ...parsed.data }) };
}

export function loadCardAccountFile(
  file: string,
  defaults: Partial<AccountTerms> = {},
): CardAccount {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CardFileError(file, error instanceof SyntaxError ? 'not JSON' : 'cannot be read');
  }
  return cardAccountFromJson(json, file, defaults);
}

/** Every `*.json` file of a directory, in name order. */
export function loadCardAccountDirectory(
  directory: string,
  defaults: Partial<AccountTerms> = {},
): CardAccount[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => loadCardAccountFile(join(directory, name), defaults));
}
