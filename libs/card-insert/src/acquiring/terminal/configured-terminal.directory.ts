import { readFile } from 'node:fs/promises';
import { KEY_ID_PATTERN } from '@tillgate/key-store';
import { z } from 'zod';
import type { TerminalDirectory, TerminalProfile } from '../acquiring.ports';
import { numericCurrency } from '../issuer/iso4217';

/** ISO 8583 `ans`: printable ASCII. */
const ANS = /^[\x20-\x7e]+$/;

const terminalSchema = z
  .object({
    terminalId: z
      .string()
      .length(8, 'is 8 characters (ISO 8583 field 41)')
      .regex(/^[\x21-\x7e]{8}$/, 'is printable ASCII without spaces'),
    merchantId: z.string().min(1).max(64),
    merchantName: z.string().min(1).max(25, 'is at most 25 characters (field 43 name)').regex(ANS),
    merchantCity: z.string().min(1).max(13, 'is at most 13 characters (field 43 city)').regex(ANS),
    cardAcceptorId: z
      .string()
      .min(1)
      .max(15, 'is at most 15 characters (ISO 8583 field 42)')
      .regex(ANS, 'is printable ASCII'),
    currency: z
      .string()
      .refine(
        (c) => numericCurrency(c) !== undefined,
        'is not an ISO 4217 code the acquirer link knows',
      ),
    bdk: z
      .object({
        id: z.string().regex(KEY_ID_PATTERN, 'is a key id'),
        version: z.number().int().positive().optional(),
      })
      .strict(),
    dukptScheme: z.enum(['tdes', 'aes128']),
    initialKeyId: z
      .string()
      .regex(/^([0-9A-F]{16}|[0-9A-F]{20})$/, 'is 8 (AES) or 10 (TDES) bytes of upper-case hex')
      .optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const bytes = t.initialKeyId === undefined ? undefined : t.initialKeyId.length / 2;
    if (bytes !== undefined && bytes !== (t.dukptScheme === 'tdes' ? 10 : 8)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['initialKeyId'],
        message: `${t.dukptScheme === 'tdes' ? 'a TDES' : 'an AES'} device's initial key ID is ${t.dukptScheme === 'tdes' ? 10 : 8} bytes`,
      });
    }
  });

/** The JSON file's shape: `{ "terminals": [ TerminalProfile... ] }`. */
export const terminalDirectorySchema = z
  .object({ terminals: z.array(terminalSchema) })
  .strict()
  .superRefine(({ terminals }, ctx) => {
    const seen = new Set<string>();
    terminals.forEach((t, i) => {
      if (seen.has(t.terminalId)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['terminals', i, 'terminalId'],
          message: `terminal ${t.terminalId} is listed twice`,
        });
      }
      seen.add(t.terminalId);
    });
  });

/** A terminal list that cannot be used, with every problem found (`path: message`). */
export class TerminalDirectoryInvalid extends Error {
  override readonly name = 'TerminalDirectoryInvalid';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: ${problems.join('; ')}`);
  }
}

/**
 * The enrolled terminals, from configuration: a fixed list validated once
 * at start-up, so that a typo stops the gateway instead of refusing every
 * request of one terminal.
 */
export class ConfiguredTerminalDirectory implements TerminalDirectory {
  readonly #terminals: ReadonlyMap<string, TerminalProfile>;

  constructor(terminals: readonly TerminalProfile[], source = 'terminal list') {
    const parsed = terminalDirectorySchema.safeParse({ terminals });
    if (!parsed.success) throw new TerminalDirectoryInvalid(source, problemsOf(parsed.error));
    this.#terminals = new Map(parsed.data.terminals.map((t) => [t.terminalId, Object.freeze(t)]));
  }

  async find(terminalId: string): Promise<TerminalProfile | undefined> {
    return this.#terminals.get(terminalId);
  }

  get terminalIds(): readonly string[] {
    return [...this.#terminals.keys()];
  }
}

/** Reads and validates a terminal directory file (see {@link terminalDirectorySchema}). */
export async function loadTerminalDirectory(path: string): Promise<ConfiguredTerminalDirectory> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    const why = error instanceof SyntaxError ? 'is not JSON' : 'cannot be read';
    throw new TerminalDirectoryInvalid(path, [why]);
  }
  const parsed = terminalDirectorySchema.safeParse(json);
  if (!parsed.success) throw new TerminalDirectoryInvalid(path, problemsOf(parsed.error));
  return new ConfiguredTerminalDirectory(parsed.data.terminals, path);
}

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}
