import { Command, Option } from 'commander';
import { buildPinBlock, decryptPinBlock, encryptPinBlock, parsePinBlock } from '@tillgate/crypto';
import type { BuildPinBlockInput, DecryptPinInput, EncryptPinInput } from '@tillgate/crypto';
import type { CliIo } from '../../cli-io';
import { cliAction, hexOption, printResult, requireOption } from '../command-support';

interface PinOptions {
  format: string;
  pin?: string;
  block?: string;
  pan?: string;
  key?: string;
  json?: boolean;
}

const needsPan = (format: number) => format === 0 || format === 3 || format === 4;
const pan = (opts: PinOptions, format: number) =>
  needsPan(format) ? requireOption(opts.pan, '--pan', `for format ${format}`) : undefined;

export function registerPinCommand(crypto: Command, io: CliIo): void {
  const pin = crypto
    .command('pin')
    .description('ISO 9564-1 PIN blocks: build, read, encrypt, decrypt');

  pin
    .command('encode')
    .description('build a clear PIN block (formats 1 and 3 get random fill)')
    .addOption(
      new Option('--format <n>', 'ISO 9564-1 format')
        .choices(['0', '1', '2', '3'])
        .makeOptionMandatory(),
    )
    .requiredOption('--pin <digits>', 'PIN, 4 to 12 digits')
    .option('--pan <digits>', 'PAN (formats 0 and 3)')
    .option('--json', 'print JSON')
    .action(
      cliAction((opts: PinOptions) => {
        const format = Number(opts.format);
        const block = buildPinBlock({
          format,
          pin: opts.pin,
          pan: pan(opts, format),
        } as BuildPinBlockInput);
        printResult(io, opts.json, { format, pinBlock: block });
      }),
    );

  pin
    .command('decode')
    .description('read a clear PIN block, checking its format')
    .addOption(
      new Option('--format <n>', 'ISO 9564-1 format')
        .choices(['0', '1', '2', '3'])
        .makeOptionMandatory(),
    )
    .requiredOption('--block <hex>', 'clear PIN block, 8 bytes')
    .option('--pan <digits>', 'PAN (formats 0 and 3)')
    .option('--json', 'print JSON')
    .action(
      cliAction((opts: PinOptions) => {
        const format = Number(opts.format) as 0 | 1 | 2 | 3;
        const parsed = parsePinBlock(hexOption(opts.block, '--block', [8]), {
          format,
          pan: pan(opts, format),
        });
        printResult(io, opts.json, { format: parsed.format, pin: parsed.pin });
      }),
    );

  pin
    .command('encrypt')
    .description('build and encrypt a PIN block: TDES for formats 0, 1, 3; AES for format 4')
    .addOption(
      new Option('--format <n>', 'ISO 9564-1 format')
        .choices(['0', '1', '3', '4'])
        .makeOptionMandatory(),
    )
    .requiredOption('--key <hex>', 'PIN encryption key')
    .requiredOption('--pin <digits>', 'PIN, 4 to 12 digits')
    .option('--pan <digits>', 'PAN (formats 0, 3 and 4)')
    .option('--json', 'print JSON')
    .action(
      cliAction((opts: PinOptions) => {
        const format = Number(opts.format);
        const key = hexOption(opts.key, '--key', format === 4 ? [16, 24, 32] : [16, 24]);
        const block = encryptPinBlock({
          format,
          key,
          pin: opts.pin,
          pan: pan(opts, format),
        } as EncryptPinInput);
        printResult(io, opts.json, { format, pinBlock: block });
      }),
    );

  pin
    .command('decrypt')
    .description('decrypt a PIN block and read the PIN, checking its format and PAN')
    .addOption(
      new Option('--format <n>', 'ISO 9564-1 format')
        .choices(['0', '1', '3', '4'])
        .makeOptionMandatory(),
    )
    .requiredOption('--key <hex>', 'PIN encryption key')
    .requiredOption('--block <hex>', 'encrypted PIN block (8 bytes; 16 for format 4)')
    .option('--pan <digits>', 'PAN (formats 0, 3 and 4)')
    .option('--json', 'print JSON')
    .action(
      cliAction((opts: PinOptions) => {
        const format = Number(opts.format);
        const key = hexOption(opts.key, '--key', format === 4 ? [16, 24, 32] : [16, 24]);
        const pinBlock = hexOption(opts.block, '--block', [format === 4 ? 16 : 8]);
        const clear = decryptPinBlock({
          format,
          key,
          pinBlock,
          pan: pan(opts, format),
        } as DecryptPinInput);
        printResult(io, opts.json, { format, pin: clear });
      }),
    );
}
