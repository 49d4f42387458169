import { Command, CommanderError } from 'commander';
import { CliUsageError } from './cli-error';
import { infoCommand } from './commands/info.command';

export function buildProgram(): Command {
  const program = new Command('tillgate')
    .description('Tillgate payment gateway: operator and payment-engineer tools')
    .exitOverride()
    .showHelpAfterError(false);
  program.addCommand(infoCommand());
  return program;
}

/** Runs the CLI; returns the exit code. Errors become one line on stderr. */
export async function runCli(
  argv: string[],
  io: { stderr: (s: string) => void } = { stderr: (s) => process.stderr.write(s) },
): Promise<number> {
  const program = buildProgram();
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
