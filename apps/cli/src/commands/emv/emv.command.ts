import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import {
  TlvError,
  generateCardProfile,
  seededRandom,
  serializeCardProfile,
  systemRandom,
  type CardProfileOptions,
} from '@tillgate/emv';
import { CliUsageError } from '../../cli-error';
import type { CliIo } from '../../cli-io';
import { commandGroup } from '../command-support';
import { hexArgument } from './hex.argument';
import { renderTlvTree, tlvTree } from './tlv-tree';

/** `tillgate emv`: EMV data tools (BER-TLV, test cards). */
export function emvCommand(io: CliIo): Command {
  const emv = commandGroup('emv', 'EMV chip data: BER-TLV decoding, test card profiles', io);

  emv
    .command('tlv')
    .description('BER-TLV (EMV Book 3 Annex B)')
    .command('decode')
    .description('decode BER-TLV hex into a tree with EMV tag names')
    .argument('<hex>', 'the data objects, hex (spaces allowed)')
    .option('--json', 'print a JSON tree: tag, name, length, value (hex), children')
    .action((hex: string, opts: { json?: boolean }) => {
      const bytes = hexArgument(hex, '<hex>');
      let nodes;
      try {
        nodes = tlvTree(bytes);
      } catch (error) {
        if (error instanceof TlvError)
          throw new CliUsageError(`not valid BER-TLV: ${error.message}`);
        throw error;
      }
      if (opts.json) io.stdout(`${JSON.stringify(nodes, null, 2)}\n`);
      else
        io.stdout(
          renderTlvTree(nodes)
            .map((line) => `${line}\n`)
            .join(''),
        );
    });

  emv
    .command('card-profile')
    .description('synthetic test cards (never real cards: unregistered RID F000000001)')
    .command('new')
    .description(
      'generate a test card profile (keys, certificates, records, PIN, issuer master keys in clear) as JSON',
    )
    .option('--seed <text>', 'reproducible card: the same seed always gives the same card')
    .option('--pin <digits>', 'the card PIN (4-12 digits); default random')
    .option('--expiry <YYMMDD>', 'application expiration date (5F24); default 491231')
    .option('--bin <digits>', 'issuer identification number the PAN starts with; default 476173')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--force', 'overwrite --out if it exists')
    .action(
      (opts: {
        seed?: string;
        pin?: string;
        expiry?: string;
        bin?: string;
        out?: string;
        force?: boolean;
      }) => {
        const options: CardProfileOptions = {
          random: opts.seed === undefined ? systemRandom : seededRandom(opts.seed),
          ...(opts.pin === undefined ? {} : { pin: opts.pin }),
          ...(opts.expiry === undefined ? {} : { expiryDate: opts.expiry }),
          ...(opts.bin === undefined ? {} : { bin: opts.bin }),
        };
        if (opts.bin !== undefined && !/^\d{6,11}$/.test(opts.bin)) {
          throw new CliUsageError('--bin must be 6 to 11 digits');
        }
        let json: string;
        try {
          json = `${serializeCardProfile(generateCardProfile(options))}\n`;
        } catch (error) {
          if (error instanceof RangeError) throw new CliUsageError(error.message);
          throw error;
        }
        if (opts.out === undefined) {
          io.stdout(json);
          return;
        }
        try {
          writeFileSync(opts.out, json, { flag: opts.force ? 'w' : 'wx', mode: 0o600 });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
            throw new CliUsageError(`${opts.out} already exists (add --force to overwrite)`);
          }
          throw new Error(`cannot write ${opts.out}: ${(error as Error).message}`);
        }
        io.stdout(`wrote a test card profile to ${opts.out}\n`);
      },
    );

  return emv;
}
