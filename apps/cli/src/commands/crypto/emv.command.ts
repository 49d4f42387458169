import { Command, Option } from 'commander';
import {
  atcDiversifier,
  atcUnpredictableNumberDiversifier,
  deriveCommonSessionKey,
  deriveIccMasterKey,
  generateApplicationCryptogram,
  generateArpcMethod1,
  generateArpcMethod2,
  kcv,
} from '@tillgate/crypto';
import type { AcPadding } from '@tillgate/crypto';
import { CliUsageError } from '../../cli-error';
import type { CliIo } from '../../cli-io';
import { cliAction, hexOption, printResult, requireOption } from '../command-support';

export function registerEmvCommand(crypto: Command, io: CliIo): void {
  const emv = crypto
    .command('emv')
    .description('EMV application cryptograms (EMV 4.4 Book 2 Annex A1, §8)');

  emv
    .command('icc-key')
    .description(
      'ICC master key from the issuer master key, PAN and PAN sequence number (A1.4, option A or B)',
    )
    .requiredOption('--imk <hex>', 'issuer master key, 16 bytes')
    .requiredOption('--pan <digits>', 'application PAN (tag 5A)')
    .option('--psn <nn>', 'PAN sequence number (tag 5F34)', '00')
    .addOption(new Option('--option <x>', 'derivation option').choices(['A', 'B']).default('A'))
    .option('--json', 'print JSON')
    .action(
      cliAction(
        (opts: { imk: string; pan: string; psn: string; option: 'A' | 'B'; json?: boolean }) => {
          const iccMasterKey = deriveIccMasterKey(
            hexOption(opts.imk, '--imk', [16]),
            { pan: opts.pan, psn: opts.psn },
            opts.option,
          );
          printResult(io, opts.json, {
            option: opts.option,
            iccMasterKey,
            kcv: kcv(iccMasterKey, 'tdes'),
          });
        },
      ),
    );

  emv
    .command('session-key')
    .description(
      'common session key (A1.3.1) from the ICC master key and R: ATC||0..0, ATC||0000||UN, or R itself',
    )
    .requiredOption('--icc-key <hex>', 'ICC master key, 16 bytes')
    .option('--atc <hex>', 'application transaction counter (9F36), 2 bytes')
    .option('--un <hex>', 'unpredictable number (9F37), 4 bytes: Mastercard R = ATC||0000||UN')
    .option('--diversifier <hex>', 'R, 8 bytes, instead of --atc')
    .option('--json', 'print JSON')
    .action(
      cliAction(
        (opts: {
          iccKey: string;
          atc?: string;
          un?: string;
          diversifier?: string;
          json?: boolean;
        }) => {
          if ((opts.atc === undefined) === (opts.diversifier === undefined)) {
            throw new CliUsageError('give --atc (with --un for Mastercard) or --diversifier');
          }
          const r =
            opts.diversifier !== undefined
              ? hexOption(opts.diversifier, '--diversifier', [8])
              : opts.un !== undefined
                ? atcUnpredictableNumberDiversifier(
                    hexOption(opts.atc, '--atc', [2]),
                    hexOption(opts.un, '--un', [4]),
                  )
                : atcDiversifier(hexOption(opts.atc, '--atc', [2]));
          const sessionKey = deriveCommonSessionKey(hexOption(opts.iccKey, '--icc-key', [16]), r);
          printResult(io, opts.json, { diversifier: r, sessionKey, kcv: kcv(sessionKey, 'tdes') });
        },
      ),
    );

  emv
    .command('arqc')
    .description('application cryptogram: ISO 9797-1 MAC algorithm 3 over the AC input data')
    .requiredOption(
      '--session-key <hex>',
      'AC session key (or the ICC master key for CVNs without one), 16 bytes',
    )
    .requiredOption('--data <hex>', 'AC input data, concatenated as the CVN prescribes')
    .addOption(
      new Option('--padding <n>', 'ISO 9797-1 padding: 2 (EMV) or 1 (Visa CVN 10)')
        .choices(['1', '2'])
        .default('2'),
    )
    .option('--json', 'print JSON')
    .action(
      cliAction((opts: { sessionKey: string; data: string; padding: string; json?: boolean }) => {
        const arqc = generateApplicationCryptogram(
          hexOption(opts.sessionKey, '--session-key', [16]),
          hexOption(opts.data, '--data'),
          Number(opts.padding) as AcPadding,
        );
        printResult(io, opts.json, { arqc });
      }),
    );

  emv
    .command('arpc')
    .description(
      'authorisation response cryptogram: method 1 (ARQC xor ARC, TDES) or 2 (MAC over ARQC||CSU)',
    )
    .addOption(new Option('--method <n>', 'ARPC method').choices(['1', '2']).makeOptionMandatory())
    .requiredOption(
      '--key <hex>',
      'method 1: the CVN ARPC key (ICC master key or session key); method 2: the session key',
    )
    .requiredOption('--arqc <hex>', 'the ARQC (9F26), 8 bytes')
    .option('--arc <hex>', 'method 1: authorisation response code, 2 bytes')
    .option('--csu <hex>', 'method 2: card status update, 4 bytes')
    .option('--proprietary-data <hex>', 'method 2: proprietary authentication data, 0 to 8 bytes')
    .option('--json', 'print JSON')
    .action(
      cliAction(
        (opts: {
          method: string;
          key: string;
          arqc: string;
          arc?: string;
          csu?: string;
          proprietaryData?: string;
          json?: boolean;
        }) => {
          const key = hexOption(opts.key, '--key', [16]);
          const arqc = hexOption(opts.arqc, '--arqc', [8]);
          const arpc =
            opts.method === '1'
              ? generateArpcMethod1(
                  key,
                  arqc,
                  hexOption(requireOption(opts.arc, '--arc', 'for method 1'), '--arc', [2]),
                )
              : generateArpcMethod2(
                  key,
                  arqc,
                  hexOption(requireOption(opts.csu, '--csu', 'for method 2'), '--csu', [4]),
                  opts.proprietaryData === undefined
                    ? undefined
                    : hexOption(opts.proprietaryData, '--proprietary-data'),
                );
          printResult(io, opts.json, { method: Number(opts.method), arpc });
        },
      ),
    );
}
