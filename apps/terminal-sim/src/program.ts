import { Command, CommanderError } from 'commander';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { isCryptoError } from '@tillgate/crypto';
import {
  EmvTransactionError,
  ResponseAuthenticationError,
  RetransmissionError,
  TerminalStateError,
} from '@tillgate/terminal-sim';
import { CliUsageError, EXIT, processIo, type CliIo } from './cli-io';
import { followUpCommand } from './commands/follow-up.command';
import { loadCommand } from './commands/load.command';
import { paymentCommand } from './commands/payment.command';

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('terminal-sim')
    .description(
      'POS terminal simulator for the card-insert tender: EMV chip flow with a test card, DUKPT, MACed gRPC to the gateway',
    )
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError(false);
  const add = (command: Command) =>
    program.addCommand(
      command
        .exitOverride()
        .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
        .showHelpAfterError(false),
    );
  add(paymentCommand('sale', io, setExit));
  add(paymentCommand('preauth', io, setExit));
  for (const name of ['capture', 'void', 'refund', 'reverse', 'batch-close'] as const) {
    add(followUpCommand(name, io, setExit));
  }
  add(loadCommand(io, setExit));
  return program;
}

function isServiceError(error: unknown): error is ServiceError {
  return (
    error instanceof Error &&
    typeof (error as Partial<ServiceError>).code === 'number' &&
    (error as Partial<ServiceError>).metadata instanceof Metadata
  );
}

/** One line for a refusal: the gRPC status, the field the gateway named, and its message. */
export function describeError(error: unknown): { line: string; code: number } {
  if (error instanceof CliUsageError) return { line: error.message, code: EXIT.usage };
  if (isServiceError(error)) {
    const field = error.metadata.get('tillgate-field')[0];
    const errorCode = error.metadata.get('tillgate-error-code')[0];
    const name = status[error.code] ?? String(error.code);
    const details = (error.details || error.message).split('\n')[0]!.trim();
    if (error.code === status.UNAVAILABLE || error.code === status.DEADLINE_EXCEEDED) {
      // No answer: the request may or may not have been processed; `--retransmit` asks again.
      return {
        line: `no answer from the gateway: ${name}: ${details} (resend it unchanged with --retransmit)`,
        code: EXIT.failed,
      };
    }
    const detail = [errorCode, field && `field ${String(field)}`].filter(Boolean).join(', ');
    return {
      line: `refused: ${name}${detail ? ` (${detail})` : ''}: ${details}`,
      code: EXIT.failed,
    };
  }
  if (
    error instanceof ResponseAuthenticationError ||
    error instanceof RetransmissionError ||
    error instanceof TerminalStateError ||
    error instanceof EmvTransactionError ||
    isCryptoError(error)
  ) {
    return { line: error.message, code: EXIT.failed };
  }
  return { line: error instanceof Error ? error.message : String(error), code: EXIT.failed };
}

/** Runs the CLI; returns the exit code. Errors become one line on stderr. */
export async function runTerminalSim(
  argv: string[],
  overrides: Partial<CliIo> = {},
): Promise<number> {
  const io: CliIo = { ...processIo, ...overrides };
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const { line, code } = describeError(error);
    io.stderr(`terminal-sim: ${line}\n`);
    return code;
  }
}
