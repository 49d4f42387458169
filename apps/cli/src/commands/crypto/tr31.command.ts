import { Command } from 'commander';
import {
  blockSizeForVersion,
  KEY_USAGES,
  kcv,
  parseKeyBlockHeader,
  TR31_VERSIONS,
  unwrapKeyBlock,
  wrapKeyBlock,
} from '@tillgate/crypto';
import type { KeyBlockHeader, KeyBlockHeaderInput, Tr31Version } from '@tillgate/crypto';
import { CliUsageError } from '../../cli-error';
import type { CliIo } from '../../cli-io';
import { cliAction, hexOption, printResult } from '../command-support';

export function registerTr31Command(crypto: Command, io: CliIo): void {
  const tr31 = crypto
    .command('tr31')
    .description('TR-31 / ANSI X9.143 key blocks, versions A, B, C and D');

  tr31
    .command('wrap')
    .description('protect a key under a KBPK; the length field and padding block are computed')
    .requiredOption(
      '--kbpk <hex>',
      'key block protection key: TDES (16/24 bytes) for A, B, C; AES (16/24/32) for D',
    )
    .requiredOption(
      '--header <text>',
      "header, e.g. D0000P0AE00E0000 (length field ignored; optional blocks kept, 'PB' recomputed)",
    )
    .requiredOption('--key <hex>', 'the key to protect')
    .option('--json', 'print JSON')
    .action(
      cliAction((opts: { kbpk: string; header: string; key: string; json?: boolean }) => {
        const header = headerInput(opts.header);
        const kbpk = hexOption(
          opts.kbpk,
          '--kbpk',
          header.version === 'D' ? [16, 24, 32] : [16, 24],
        );
        const keyBlock = wrapKeyBlock({ kbpk, header, key: hexOption(opts.key, '--key') });
        printResult(io, opts.json, { keyBlock });
      }),
    );

  tr31
    .command('unwrap')
    .description(
      'verify and open a key block: prints the authenticated header, the key and its KCV',
    )
    .requiredOption('--kbpk <hex>', 'key block protection key')
    .requiredOption('--block <text>', 'the key block')
    .option('--json', 'print JSON')
    .action(
      cliAction((opts: { kbpk: string; block: string; json?: boolean }) => {
        const { header, key } = unwrapKeyBlock(
          opts.block,
          hexOption(opts.kbpk, '--kbpk', [16, 24, 32]),
        );
        const clear = key.expose();
        printResult(io, opts.json, {
          header: describeHeader(header),
          key: clear,
          kcv: keyKcv(header.algorithm, clear),
        });
      }),
    );
}

function describeHeader(header: KeyBlockHeader) {
  return {
    version: header.version,
    length: header.length,
    keyUsage: header.keyUsage,
    keyUsageName: (KEY_USAGES as Record<string, string>)[header.keyUsage] ?? 'proprietary',
    algorithm: header.algorithm,
    modeOfUse: header.modeOfUse,
    keyVersionNumber: header.keyVersionNumber,
    exportability: header.exportability,
    keyContext: header.keyContext,
    optionalBlocks: header.optionalBlocks.map((b) => ({ id: b.id, data: b.data })),
  };
}

/** TDES: 3 bytes of an encrypted zero block; AES: 5 bytes of CMAC (X9.24-3); none for other algorithms. */
function keyKcv(algorithm: string, key: Buffer): Buffer | undefined {
  if (algorithm === 'T' || algorithm === 'D') return kcv(key, 'tdes', 3);
  if (algorithm === 'A') return kcv(key, 'aes', 5);
  return undefined;
}

/**
 * The header the user typed, read with the key block header parser: the
 * length field is replaced and, when the optional blocks do not end on a
 * cipher block boundary, a provisional 'PB' is appended so the parser
 * accepts it. Padding blocks are dropped; wrapping adds its own.
 */
function headerInput(text: string): KeyBlockHeaderInput {
  const version = text[0] as Tr31Version;
  if (!TR31_VERSIONS.includes(version))
    throw new CliUsageError(
      `--header must start with a key block version (${TR31_VERSIONS.join(', ')})`,
    );
  if (text.length < 16)
    throw new CliUsageError('--header must hold at least the 16-character fixed header');
  const blockSize = blockSizeForVersion(version);
  let probe = text;
  if (probe.length % blockSize !== 0) {
    const count = Number(probe.slice(12, 14));
    if (!Number.isInteger(count) || count > 98)
      throw new CliUsageError('--header has an invalid optional block count');
    const pad = (blockSize - ((probe.length + 4) % blockSize)) % blockSize;
    probe = `${probe.slice(0, 12)}${String(count + 1).padStart(2, '0')}${probe.slice(14)}PB${(4 + pad).toString(16).toUpperCase().padStart(2, '0')}${'0'.repeat(pad)}`;
  }
  const parsed = parseKeyBlockHeader(
    `${probe[0]}${String(probe.length).padStart(4, '0')}${probe.slice(5)}`,
  );
  if (parsed.text.length !== probe.length)
    throw new CliUsageError('--header has characters after its optional blocks');
  return {
    version: parsed.version,
    keyUsage: parsed.keyUsage,
    algorithm: parsed.algorithm,
    modeOfUse: parsed.modeOfUse,
    keyVersionNumber: parsed.keyVersionNumber,
    exportability: parsed.exportability,
    keyContext: parsed.keyContext,
    optionalBlocks: parsed.optionalBlocks.filter((b) => b.id !== 'PB'),
  };
}
