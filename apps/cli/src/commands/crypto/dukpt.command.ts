import { Command } from 'commander';
import {
  AES_DUKPT_KEY_TYPES,
  AES_DUKPT_USAGES,
  aesDukpt,
  kcv,
  parseKsn,
  TDES_DUKPT_USAGES,
  tdesDukpt,
} from '@tillgate/crypto';
import type { AesDukptKeyType, AesDukptUsage, TdesDukptUsage } from '@tillgate/crypto';
import { CliUsageError } from '../../cli-error';
import type { CliIo } from '../../cli-io';
import { cliAction, hexOption, printResult } from '../command-support';

interface DukptOptions {
  bdk: string;
  ksn: string;
  usage: string;
  keyType?: string;
  json?: boolean;
}

export function registerDukptCommand(crypto: Command, io: CliIo): void {
  crypto
    .command('dukpt')
    .description(
      'host-side DUKPT: TDES (ANSI X9.24-1) for a 10-byte KSN, AES (X9.24-3) for a 12-byte KSN; prints the initial key, the transaction (derivation) key and the working key',
    )
    .requiredOption('--bdk <hex>', 'base derivation key (16 bytes TDES; 16, 24 or 32 bytes AES)')
    .requiredOption('--ksn <hex>', 'key serial number, 10 or 12 bytes')
    .option(
      '--usage <usage>',
      `TDES: ${TDES_DUKPT_USAGES.join(', ')}; AES: ${AES_DUKPT_USAGES.join(', ')}`,
      'pin',
    )
    .option('--key-type <type>', `AES only: ${AES_DUKPT_KEY_TYPES.join(', ')} (default aes128)`)
    .option('--json', 'print JSON')
    .action(
      cliAction((opts: DukptOptions) => {
        const ksnBytes = hexOption(opts.ksn, '--ksn', [10, 12]);
        if (ksnBytes.length === 10) printTdes(io, opts, ksnBytes);
        else printAes(io, opts, ksnBytes);
      }),
    );
}

function printTdes(io: CliIo, opts: DukptOptions, ksn: Buffer): void {
  if (opts.keyType !== undefined)
    throw new CliUsageError('--key-type applies to AES DUKPT (a 12-byte KSN) only');
  if (!(TDES_DUKPT_USAGES as readonly string[]).includes(opts.usage)) {
    throw new CliUsageError(
      `--usage '${opts.usage}' is not a TDES DUKPT usage (${TDES_DUKPT_USAGES.join(', ')})`,
    );
  }
  const bdk = hexOption(opts.bdk, '--bdk', [16]);
  const parsed = parseKsn(ksn);
  const initialKey = tdesDukpt.deriveIpek(bdk, ksn);
  const transactionKey = tdesDukpt.deriveTransactionKey(initialKey, ksn);
  const workingKey = tdesDukpt.workingKey(transactionKey, opts.usage as TdesDukptUsage);
  printResult(io, opts.json, {
    scheme: 'tdes',
    ksn,
    counter: parsed.counter,
    initialKey,
    transactionKey,
    usage: opts.usage,
    workingKey,
    workingKeyKcv: kcv(workingKey, 'tdes'),
  });
}

function printAes(io: CliIo, opts: DukptOptions, ksn: Buffer): void {
  if (!(AES_DUKPT_USAGES as readonly string[]).includes(opts.usage)) {
    throw new CliUsageError(
      `--usage '${opts.usage}' is not an AES DUKPT usage (${AES_DUKPT_USAGES.join(', ')})`,
    );
  }
  const keyType = opts.keyType ?? 'aes128';
  if (!(AES_DUKPT_KEY_TYPES as readonly string[]).includes(keyType)) {
    throw new CliUsageError(
      `--key-type '${keyType}' is not an AES DUKPT key type (${AES_DUKPT_KEY_TYPES.join(', ')})`,
    );
  }
  const bdk = hexOption(opts.bdk, '--bdk', [16, 24, 32]);
  const parsed = parseKsn(ksn);
  if (parsed.scheme !== 'aes') throw new CliUsageError('--ksn must be 12 bytes for AES DUKPT');
  const initialKey = aesDukpt.deriveInitialKey(bdk, parsed.initialKeyId);
  const transactionKey = aesDukpt.deriveTransactionKey(initialKey, ksn);
  const workingKey = aesDukpt.workingKey(transactionKey, {
    ksn,
    usage: opts.usage as AesDukptUsage,
    keyType: keyType as AesDukptKeyType,
  });
  const kcvAlgorithm = keyType.startsWith('tdes')
    ? 'tdes'
    : keyType.startsWith('aes')
      ? 'aes'
      : undefined;
  printResult(io, opts.json, {
    scheme: 'aes',
    ksn,
    initialKeyId: parsed.initialKeyId,
    counter: parsed.counter,
    initialKey,
    transactionKey,
    usage: opts.usage,
    keyType,
    workingKey,
    workingKeyKcv: kcvAlgorithm
      ? kcv(workingKey, kcvAlgorithm, kcvAlgorithm === 'aes' ? 5 : 3)
      : undefined,
  });
}
