import type { Command } from 'commander';
import type { CliIo } from '../../cli-io';
import { commandGroup } from '../command-support';
import { registerDukptCommand } from './dukpt.command';
import { registerEmvCommand } from './emv.command';
import { registerKcvCommand } from './kcv.command';
import { registerMacCommand } from './mac.command';
import { registerPinCommand } from './pin.command';
import { registerTr31Command } from './tr31.command';

/** `tillgate crypto ...`: the payment engineer's calculator over @tillgate/crypto. Hex out is upper case. */
export function cryptoCommand(io: CliIo): Command {
  const crypto = commandGroup(
    'crypto',
    'payment-cryptography calculator (keys on the command line: test keys only)',
    io,
  );
  registerKcvCommand(crypto, io);
  registerDukptCommand(crypto, io);
  registerPinCommand(crypto, io);
  registerMacCommand(crypto, io);
  registerTr31Command(crypto, io);
  registerEmvCommand(crypto, io);
  return crypto;
}
