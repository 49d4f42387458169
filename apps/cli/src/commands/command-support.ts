import { Command } from 'commander';
import { bytesToHex, isCryptoError } from '@tillgate/crypto';
import { isKeyStoreError, KeyStoreErrorCode } from '@tillgate/key-store';
import { ConfigError } from '@tillgate/platform';
import { CliUsageError } from '../cli-error';
import type { CliIo } from '../cli-io';

/**
 * A command group whose subcommands (made with `.command()`) inherit its
 * output and exit handling, so that every error reaches runCli as an
 * exception and becomes one line and an exit code.
 */
export function commandGroup(name: string, description: string, io: CliIo): Command {
  return new Command(name)
    .description(description)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError(false);
}

type Printable =
  | string
  | number
  | boolean
  | Buffer
  | undefined
  | readonly Printable[]
  | { readonly [key: string]: Printable };

/** JSON on one line with --json, else aligned `name  value` lines; bytes always as upper-case hex. */
export function printResult(
  io: CliIo,
  json: boolean | undefined,
  result: Record<string, Printable>,
): void {
  if (json) {
    io.stdout(
      `${JSON.stringify(result, (_key, value) => (isBufferJson(value) ? bytesToHex(Buffer.from(value.data)) : value))}\n`,
    );
    return;
  }
  const rows = flatten(result);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [key, value] of rows) io.stdout(`${key.padEnd(width)}  ${value}\n`);
}

function flatten(value: Printable, prefix = ''): [string, string][] {
  if (value === undefined) return [];
  if (Buffer.isBuffer(value)) return [[prefix, bytesToHex(value)]];
  if (Array.isArray(value)) return value.flatMap((v, i) => flatten(v, `${prefix}[${i}]`));
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, Printable>).flatMap(([k, v]) =>
      flatten(v, prefix ? `${prefix}.${k}` : k),
    );
  }
  return [[prefix, String(value)]];
}

function isBufferJson(value: unknown): value is { type: 'Buffer'; data: number[] } {
  return (
    typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'Buffer'
  );
}

/** Hex from an option, checked before any cryptography sees it; the option is named in the error. */
export function hexOption(
  value: string | undefined,
  option: string,
  lengths?: readonly number[],
): Buffer {
  if (value === undefined) throw new CliUsageError(`${option} is required`);
  if (value.length % 2 !== 0)
    throw new CliUsageError(`${option} has an odd number of hex digits (${value.length})`);
  if (!/^[0-9A-Fa-f]*$/.test(value)) throw new CliUsageError(`${option} must be hex digits only`);
  const bytes = Buffer.from(value, 'hex');
  if (lengths && !lengths.includes(bytes.length)) {
    const allowed = lengths.map((n) => `${n} bytes (${n * 2} hex digits)`).join(' or ');
    throw new CliUsageError(`${option} must be ${allowed}, got ${bytes.length} bytes`);
  }
  return bytes;
}

export function requireOption(value: string | undefined, option: string, why: string): string {
  if (value === undefined) throw new CliUsageError(`${option} is required ${why}`);
  return value;
}

/**
 * Wraps a command action: errors from the payment libraries, which are all
 * about the input here, become usage errors (exit 2); a key store that
 * cannot be read or whose keys fail their integrity check is exit 1.
 */
export function cliAction<A extends unknown[]>(
  action: (...args: A) => Promise<void> | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      throw toCliError(error);
    }
  };
}

const OPERATIONAL: readonly KeyStoreErrorCode[] = [
  'KEY_BLOCK_TAMPERED',
  'MASTER_KEY_MISMATCH',
  'STORE_CORRUPT',
  'STORE_UNAVAILABLE',
  'STORE_CONFLICT',
  'INTERNAL_ERROR',
];

function toCliError(error: unknown): unknown {
  if (isCryptoError(error)) return new CliUsageError(error.message);
  if (error instanceof ConfigError)
    return new CliUsageError(error.problems.map((p) => `${p.variable}: ${p.problem}`).join('; '));
  if (isKeyStoreError(error)) {
    return OPERATIONAL.includes(error.code)
      ? new Error(`${error.code}: ${error.message}`)
      : new CliUsageError(`${error.code}: ${error.message}`);
  }
  return error;
}
