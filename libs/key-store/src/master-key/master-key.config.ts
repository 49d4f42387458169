import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError, defineConfig, loadConfig } from '@tillgate/platform';
import { MasterKey } from './master-key';

const HEX_256 = /^[0-9A-Fa-f]{64}$/;

/** Where the master key comes from at start-up: exactly one of the two variables. */
export const masterKeyConfig = defineConfig({
  TILLGATE_MASTER_KEY: {
    schema: z.string().regex(HEX_256, 'must be 64 hex digits (an AES-256 key)').optional(),
    description: 'Key-store master key (the root of the key block protection keys), 64 hex digits',
    sensitive: true,
  },
  TILLGATE_MASTER_KEY_FILE: {
    schema: z.string().min(1).optional(),
    description:
      'Path of a file holding the key-store master key as 64 hex digits (instead of TILLGATE_MASTER_KEY)',
  },
});

/**
 * Loads the master key from TILLGATE_MASTER_KEY or TILLGATE_MASTER_KEY_FILE.
 * Every problem is a `ConfigError` naming the variable; neither the key nor
 * the file's content is ever part of it.
 */
export async function loadMasterKey(
  env: Record<string, string | undefined> = process.env,
  read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): Promise<MasterKey> {
  const config = loadConfig(masterKeyConfig, env);
  const inline = config.TILLGATE_MASTER_KEY;
  const file = config.TILLGATE_MASTER_KEY_FILE;
  if (inline !== undefined && file !== undefined) {
    throw new ConfigError([
      {
        variable: 'TILLGATE_MASTER_KEY',
        problem: 'set TILLGATE_MASTER_KEY or TILLGATE_MASTER_KEY_FILE, not both',
      },
    ]);
  }
  if (inline !== undefined) return fromHex(inline);
  if (file === undefined) {
    throw new ConfigError([
      {
        variable: 'TILLGATE_MASTER_KEY',
        problem: 'required: set TILLGATE_MASTER_KEY (64 hex digits) or TILLGATE_MASTER_KEY_FILE',
      },
    ]);
  }
  let content: string;
  try {
    content = await read(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([
      { variable: 'TILLGATE_MASTER_KEY_FILE', problem: `cannot read ${file} (${reason})` },
    ]);
  }
  const hex = content.trim();
  if (!HEX_256.test(hex)) {
    throw new ConfigError([
      {
        variable: 'TILLGATE_MASTER_KEY_FILE',
        problem: `${file} must hold 64 hex digits (an AES-256 key)`,
      },
    ]);
  }
  return fromHex(hex);
}

function fromHex(hex: string): MasterKey {
  const bytes = Buffer.from(hex, 'hex');
  try {
    return MasterKey.fromBytes(bytes);
  } finally {
    bytes.fill(0);
  }
}
