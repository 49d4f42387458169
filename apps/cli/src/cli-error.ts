/** A usage or input problem: printed as one line, exit code 2, never a stack trace. */
export class CliUsageError extends Error {
  readonly exitCode = 2;
}
