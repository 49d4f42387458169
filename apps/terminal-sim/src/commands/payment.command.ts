import { Command } from 'commander';
import type { Terminal } from '@tillgate/terminal-sim';
import { EXIT, type CliIo } from '../cli-io';
import { printFollowUp, printPayment } from './output';
import {
  DEFAULT_CARD,
  amountOption,
  cardOption,
  commonSetup,
  openTerminal,
  pinOption,
  withTerminalOptions,
  type TerminalCliOptions,
} from './terminal-options';

interface PaymentOptions extends TerminalCliOptions {
  card: string;
  amount?: string;
  pin?: string;
  bypassPin?: boolean;
}

/** Where a command reports its exit code (runTerminalSim returns it). */
export type ExitCodeSink = (code: number) => void;

/** `--retransmit` on any command: the last request again, unchanged. */
export async function retransmit(io: CliIo, terminal: Terminal, json: boolean | undefined) {
  const { operation, response } = await terminal.retransmit();
  printFollowUp(
    io,
    json,
    `${operation} (retransmitted)`,
    response as unknown as Record<string, unknown>,
  );
  return EXIT.ok;
}

/** `sale` and `preauth`: the whole chip flow with the test card. */
export function paymentCommand(
  name: 'sale' | 'preauth',
  io: CliIo,
  setExit: ExitCodeSink,
): Command {
  const command = new Command(name)
    .description(
      name === 'sale'
        ? 'insert the card, enter the PIN, authorize and complete a sale'
        : 'authorize a pre-authorization (capture it later with `capture`)',
    )
    .option(
      '--card <name|file>',
      'test card: a built-in name (issuer simulator seed) or a card profile JSON file',
      DEFAULT_CARD,
    )
    .option('--amount <amount>', 'amount in major units, e.g. 12.50')
    .option('--pin <digits>', "the PIN the cardholder types (default: the card's own)")
    .option('--bypass-pin', 'the cardholder does not enter a PIN');
  return withTerminalOptions(command).action(async (opts: PaymentOptions) => {
    const setup = commonSetup(io, opts);
    const amountMinor = opts.retransmit ? 0n : amountOption(opts.amount, setup.currency);
    const pin = pinOption(opts.pin, opts.bypassPin);
    const card = opts.retransmit ? undefined : cardOption(opts.card);
    const opened = openTerminal(setup);
    try {
      if (opts.retransmit) {
        setExit(await retransmit(io, opened.terminal, opts.json));
        return;
      }
      const result = await opened.terminal.pay({
        kind: name,
        card: card!,
        amountMinor,
        currency: setup.currency,
        pin,
      });
      printPayment(io, opts.json, result);
      setExit(result.outcome === 'approved' ? EXIT.ok : EXIT.declined);
    } finally {
      opened.close();
    }
  });
}
