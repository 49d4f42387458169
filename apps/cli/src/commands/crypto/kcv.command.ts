import { Command, Option } from 'commander';
import { hasOddParity, kcv } from '@tillgate/crypto';
import type { CliIo } from '../../cli-io';
import { cliAction, hexOption, printResult } from '../command-support';

const KEY_LENGTHS = { tdes: [8, 16, 24], aes: [16, 24, 32] } as const;
// Key-store convention: 3 bytes for TDES (encrypted zero block), 5 for AES (CMAC, X9.24-3).
const DEFAULT_LENGTH = { tdes: 3, aes: 5 } as const;

export function registerKcvCommand(crypto: Command, io: CliIo): void {
  crypto
    .command('kcv')
    .description('key check value: TDES encrypts a zero block, AES takes the CMAC of a zero block')
    .requiredOption('--key <hex>', 'the key')
    .addOption(
      new Option('--algorithm <name>', 'key algorithm').choices(['tdes', 'aes']).default('tdes'),
    )
    .option('--length <bytes>', 'KCV length in bytes (default 3 for TDES, 5 for AES)')
    .option('--json', 'print JSON')
    .action(
      cliAction(
        (opts: { key: string; algorithm: 'tdes' | 'aes'; length?: string; json?: boolean }) => {
          const key = hexOption(opts.key, '--key', KEY_LENGTHS[opts.algorithm]);
          const length =
            opts.length === undefined ? DEFAULT_LENGTH[opts.algorithm] : Number(opts.length);
          printResult(io, opts.json, {
            algorithm: opts.algorithm,
            kcv: kcv(key, opts.algorithm, length),
            ...(opts.algorithm === 'tdes' ? { oddParity: hasOddParity(key) } : {}),
          });
        },
      ),
    );
}
