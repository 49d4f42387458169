import { Command } from 'commander';
import { EXIT, CliUsageError, type CliIo } from '../cli-io';
import { printFollowUp } from './output';
import { retransmit, type ExitCodeSink } from './payment.command';
import {
  amountOption,
  commonSetup,
  openTerminal,
  withTerminalOptions,
  type TerminalCliOptions,
} from './terminal-options';

interface FollowUpOptions extends TerminalCliOptions {
  payment?: string;
  amount?: string;
}

type FollowUp = 'capture' | 'void' | 'refund' | 'reverse' | 'batch-close';

const DESCRIPTIONS: Record<FollowUp, string> = {
  capture: 'capture a pre-authorization, fully or partially',
  void: 'void a payment of the open batch',
  refund: 'refund all or part of a captured payment',
  reverse: 'reverse an authorization the terminal could not finish',
  'batch-close': "close the terminal's batch and print its totals",
};

/** Commands on an existing payment (by --payment, default the terminal's last one), and batch close. */
export function followUpCommand(name: FollowUp, io: CliIo, setExit: ExitCodeSink): Command {
  const command = new Command(name).description(DESCRIPTIONS[name]);
  if (name !== 'batch-close') {
    command.option('--payment <id>', "payment id (default: this terminal's last payment)");
  }
  if (name === 'capture' || name === 'refund') {
    command.option('--amount <amount>', 'amount in major units, e.g. 12.50');
  }
  return withTerminalOptions(command).action(async (opts: FollowUpOptions) => {
    const setup = commonSetup(io, opts);
    const opened = openTerminal(setup);
    try {
      const { terminal } = opened;
      if (opts.retransmit) {
        setExit(await retransmit(io, terminal, opts.json));
        return;
      }
      const paymentId = () => {
        const id = opts.payment ?? terminal.lastPaymentId();
        if (!id)
          throw new CliUsageError('--payment is required: this terminal has made no payment yet');
        return id;
      };
      const amount = () => amountOption(opts.amount, setup.currency);
      const exchange =
        name === 'capture'
          ? await terminal.capture(paymentId(), amount(), setup.currency)
          : name === 'refund'
            ? await terminal.refund(paymentId(), amount(), setup.currency)
            : name === 'void'
              ? await terminal.void(paymentId())
              : name === 'reverse'
                ? await terminal.reverse(paymentId())
                : await terminal.closeBatch();
      printFollowUp(io, opts.json, name, exchange.response as unknown as Record<string, unknown>);
      setExit(EXIT.ok);
    } finally {
      opened.close();
    }
  });
}
