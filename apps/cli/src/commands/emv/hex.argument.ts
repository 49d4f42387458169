import { CliUsageError } from '../../cli-error';

/** Hex from the command line: spaces allowed between bytes, case-insensitive; the argument is named in the error. */
export function hexArgument(value: string, name: string): Uint8Array {
  const hex = value.replace(/\s+/g, '');
  if (hex.length === 0) throw new CliUsageError(`${name} is empty`);
  if (!/^[0-9A-Fa-f]*$/.test(hex)) throw new CliUsageError(`${name} must be hex digits only`);
  if (hex.length % 2 !== 0) {
    throw new CliUsageError(`${name} has an odd number of hex digits (${hex.length})`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
