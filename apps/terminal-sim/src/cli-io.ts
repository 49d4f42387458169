/** Where the CLI reads its environment and writes its output; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** stderr is a terminal: the progress bar redraws in place. */
  readonly stderrIsTty: boolean;
}

export const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
  stderrIsTty: process.stderr.isTTY === true,
};

/** A usage or input problem: one line, exit code 2, never a stack trace. */
export class CliUsageError extends Error {}

/** Exit codes: documented in docs/terminal-sim.md. */
export const EXIT = {
  ok: 0,
  /** Refused by the gateway, unreachable gateway, untrusted answer. */
  failed: 1,
  usage: 2,
  /** The issuer or the card declined. */
  declined: 3,
} as const;
