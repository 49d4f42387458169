import { Command, CommanderError } from 'commander';
import { CliUsageError } from './cli-error';
import { CliIo, processIo } from './cli-io';
import { cryptoCommand } from './commands/crypto/crypto.command';
import { emvCommand } from './commands/emv/emv.command';
import { infoCommand } from './commands/info.command';
import { eventsCommand } from './commands/events/events.command';
import { iso8583Command } from './commands/iso8583/iso8583.command';
import { keysCommand } from './commands/keys.command';

export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command('tillgate')
    .description('Tillgate payment gateway: operator and payment-engineer tools')
    .exitOverride()
    .showHelpAfterError(false);
  program.addCommand(infoCommand());
  program.addCommand(eventsCommand(io));
  program.addCommand(cryptoCommand(io));
  program.addCommand(keysCommand(io));
  program.addCommand(emvCommand(io));
  program.addCommand(iso8583Command(io));
  return program;
}

/** Runs the CLI; returns the exit code. Errors become one line on stderr. */
export async function runCli(argv: string[], ioOverrides: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = { ...processIo, ...ioOverrides };
  const program = buildProgram(io);
  program.configureOutput({ writeErr: io.stderr });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`tillgate: ${message}\n`);
    return err instanceof CliUsageError ? 2 : 1;
  }
}
