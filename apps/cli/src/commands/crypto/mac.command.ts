import { Command, Option } from 'commander';
import { cmac, macIso9797Alg1, macIso9797Alg3 } from '@tillgate/crypto';
import type { Iso9797Padding } from '@tillgate/crypto';
import { CliUsageError } from '../../cli-error';
import type { CliIo } from '../../cli-io';
import { cliAction, hexOption, printResult } from '../command-support';

interface MacOptions {
  algorithm: 'iso9797-1-1' | 'iso9797-1-3' | 'cmac';
  key: string;
  data: string;
  padding?: string;
  cipher?: 'tdes' | 'aes';
  length?: string;
  json?: boolean;
}

export function registerMacCommand(crypto: Command, io: CliIo): void {
  crypto
    .command('mac')
    .description(
      'ISO 9797-1 MAC algorithm 1 (CBC-MAC) or 3 (retail MAC, ANSI X9.19), or CMAC (NIST SP 800-38B)',
    )
    .addOption(
      new Option('--algorithm <name>', 'MAC algorithm')
        .choices(['iso9797-1-1', 'iso9797-1-3', 'cmac'])
        .makeOptionMandatory(),
    )
    .requiredOption('--key <hex>', 'MAC key')
    .requiredOption('--data <hex>', 'message')
    .addOption(
      new Option(
        '--padding <n>',
        'ISO 9797-1 padding method (algorithms 1 and 3; default 1)',
      ).choices(['1', '2', '3']),
    )
    .addOption(
      new Option(
        '--cipher <name>',
        'block cipher for algorithm 1 (default tdes) and CMAC (default aes)',
      ).choices(['tdes', 'aes']),
    )
    .option('--length <bytes>', 'truncate the MAC to this many leftmost bytes')
    .option('--json', 'print JSON')
    .action(
      cliAction((opts: MacOptions) => {
        const data = hexOption(opts.data, '--data');
        const padding = Number(opts.padding ?? '1') as Iso9797Padding;
        let mac: Buffer;
        switch (opts.algorithm) {
          case 'iso9797-1-1': {
            const cipher = opts.cipher ?? 'tdes';
            mac = macIso9797Alg1(
              hexOption(opts.key, '--key', cipher === 'aes' ? [16, 24, 32] : [8, 16, 24]),
              data,
              padding,
              cipher,
            );
            break;
          }
          case 'iso9797-1-3':
            if (opts.cipher !== undefined)
              throw new CliUsageError(
                '--cipher does not apply to algorithm 3 (always DES with a 16-byte key)',
              );
            mac = macIso9797Alg3(hexOption(opts.key, '--key', [16]), data, padding);
            break;
          case 'cmac': {
            if (opts.padding !== undefined)
              throw new CliUsageError('--padding does not apply to CMAC');
            const cipher = opts.cipher ?? 'aes';
            mac = cmac(
              cipher,
              hexOption(opts.key, '--key', cipher === 'aes' ? [16, 24, 32] : [16, 24]),
              data,
            );
            break;
          }
        }
        const length = opts.length === undefined ? mac.length : Number(opts.length);
        if (!Number.isInteger(length) || length < 1 || length > mac.length) {
          throw new CliUsageError(`--length must be 1 to ${mac.length}`);
        }
        printResult(io, opts.json, { algorithm: opts.algorithm, mac: mac.subarray(0, length) });
      }),
    );
}
