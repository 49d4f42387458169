import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { createGrpcClient, cardInsertV1 } from '@tillgate/contracts';
import {
  AmountError,
  DEFAULT_TERMINAL_ID,
  DEFAULT_TEST_CARD,
  FileTerminalStateStore,
  Terminal,
  currencyOf,
  injectInitialKey,
  loadTestCard,
  parseAmount,
  terminalNumberOf,
  testTerminalKey,
  cardInsertApiOf,
  type CurrencyCode,
  type DukptSchemeName,
  type TerminalStateStore,
  type TestCard,
} from '@tillgate/terminal-sim';
import { CardFileError } from '@tillgate/issuer-simulator';
import { CliUsageError, type CliIo } from '../cli-io';

/** Options every terminal command takes. */
export interface TerminalCliOptions {
  gateway: string;
  terminal: string;
  dukpt: string;
  state?: string;
  currency: string;
  timeout: string;
  json?: boolean;
  retransmit?: boolean;
}

export const DEFAULT_GATEWAY = '127.0.0.1:50051';
export const DEFAULT_CURRENCY = 'CNY';

export function withTerminalOptions(command: Command): Command {
  return command
    .option('--gateway <host:port>', 'the gateway card-insert gRPC endpoint', DEFAULT_GATEWAY)
    .option('--terminal <id>', 'terminal id as enrolled (8 characters)', DEFAULT_TERMINAL_ID)
    .addOption(
      new Option('--dukpt <scheme>', 'DUKPT of the terminal keys')
        .choices(['tdes', 'aes'])
        .default('tdes'),
    )
    .option('--currency <code>', 'ISO 4217 currency of the amounts', DEFAULT_CURRENCY)
    .option(
      '--state <file>',
      'state file: KSN counters, STAN, card ATCs, last request (default ~/.tillgate/terminal-sim-state.json, or TERMINAL_SIM_STATE)',
    )
    .option('--timeout <ms>', 'per-call deadline in milliseconds', '10000')
    .option(
      '--retransmit',
      'send the last request again unchanged (same STAN, request id, KSN, MAC)',
    )
    .option('--json', 'print the result as one JSON line');
}

export function statePath(io: CliIo, option: string | undefined): string {
  return (
    option ??
    io.env['TERMINAL_SIM_STATE'] ??
    join(homedir(), '.tillgate', 'terminal-sim-state.json')
  );
}

export function schemeOf(value: string): DukptSchemeName {
  if (value !== 'tdes' && value !== 'aes') throw new CliUsageError(`--dukpt must be tdes or aes`);
  return value;
}

export function gatewayAddress(value: string): string {
  if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(value)) {
    throw new CliUsageError(`--gateway must be host:port, got ${value}`);
  }
  return value;
}

export function terminalIdOf(value: string): string {
  if (!/^[\x20-\x7E]{8}$/.test(value)) {
    throw new CliUsageError(
      `--terminal must be 8 printable characters, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function timeoutOf(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1 || ms > 600_000) {
    throw new CliUsageError(`--timeout must be 1..600000 milliseconds`);
  }
  return ms;
}

export function currencyOption(value: string): CurrencyCode {
  try {
    return currencyOf(value);
  } catch (error) {
    throw new CliUsageError(`--currency: ${(error as Error).message}`);
  }
}

export function amountOption(value: string | undefined, currency: CurrencyCode): bigint {
  if (value === undefined) throw new CliUsageError('--amount is required, e.g. --amount 12.50');
  try {
    return parseAmount(value, currency);
  } catch (error) {
    if (error instanceof AmountError) throw new CliUsageError(`--amount: ${error.message}`);
    throw error;
  }
}

export function cardOption(value: string): TestCard {
  try {
    return loadTestCard(value);
  } catch (error) {
    if (error instanceof CardFileError) throw new CliUsageError(`--card ${error.message}`);
    throw error;
  }
}

export function pinOption(
  value: string | undefined,
  bypass: boolean | undefined,
): string | null | undefined {
  if (bypass) return null;
  if (value === undefined) return undefined;
  if (!/^\d{4,12}$/.test(value)) throw new CliUsageError('--pin must be 4 to 12 digits');
  return value;
}

export interface OpenedTerminal {
  readonly terminal: Terminal;
  close(): void;
}

/** A terminal with the demo test key of its number, on a gRPC channel to the gateway. */
export function openTerminal(options: {
  readonly terminalId: string;
  readonly scheme: DukptSchemeName;
  readonly gateway: string;
  readonly timeoutMs: number;
  readonly state: TerminalStateStore;
}): OpenedTerminal {
  const client = createGrpcClient(cardInsertV1.CardInsertServiceService, options.gateway, {
    deadlineMs: options.timeoutMs,
  });
  const terminal = new Terminal({
    terminalId: options.terminalId,
    key: injectInitialKey(testTerminalKey(options.scheme, terminalNumberOf(options.terminalId))),
    gateway: cardInsertApiOf(client),
    state: options.state,
  });
  return { terminal, close: () => client.close() };
}

export function commonSetup(io: CliIo, opts: TerminalCliOptions) {
  return {
    terminalId: terminalIdOf(opts.terminal),
    scheme: schemeOf(opts.dukpt),
    gateway: gatewayAddress(opts.gateway),
    timeoutMs: timeoutOf(opts.timeout),
    currency: currencyOption(opts.currency),
    state: new FileTerminalStateStore(statePath(io, opts.state)),
  };
}

export const DEFAULT_CARD = DEFAULT_TEST_CARD;
