import { Command } from 'commander';
import { cardInsertV1, createGrpcClient } from '@tillgate/contracts';
import {
  ProgressBar,
  Terminal,
  injectInitialKey,
  runLoad,
  terminalNumberOf,
  testTerminalKey,
  cardInsertApiOf,
  type LoadReport,
} from '@tillgate/terminal-sim';
import { CliUsageError, EXIT, type CliIo } from '../cli-io';
import type { ExitCodeSink } from './payment.command';
import {
  DEFAULT_CARD,
  amountOption,
  cardOption,
  commonSetup,
  withTerminalOptions,
  type TerminalCliOptions,
} from './terminal-options';

interface LoadOptions extends TerminalCliOptions {
  count: string;
  rate?: string;
  concurrency: string;
  card: string;
  amount: string;
  kind: string;
  skipOda?: boolean;
}

function positiveInteger(name: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new CliUsageError(`--${name} must be an integer 1..${max}, got ${value}`);
  }
  return n;
}

/** TERM0001 and lane 2 -> TERM0003: the lanes are consecutive demo terminals. */
export function laneTerminalId(first: string, lane: number): string {
  const match = /^(.*?)(\d+)$/.exec(first);
  if (!match) throw new CliUsageError('--terminal must end in digits to number the load lanes');
  const number = Number(match[2]) + lane;
  const digits = String(number).padStart(match[2]!.length, '0');
  if (digits.length !== match[2]!.length) throw new CliUsageError('too many lanes for --terminal');
  return `${match[1]}${digits}`;
}

export function printLoadReport(io: CliIo, json: boolean | undefined, report: LoadReport): void {
  if (json) {
    io.stdout(`${JSON.stringify(report)}\n`);
    return;
  }
  const outcomes = Object.entries(report.outcomes)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const l = report.latencyMs;
  const s = report.serviceTimeMs;
  io.stdout(
    [
      `payments    ${report.count} (${outcomes || 'none completed'}), errors ${report.errors}`,
      `duration    ${(report.durationMs / 1000).toFixed(2)} s`,
      `throughput  ${report.throughputPerSecond} payments/s` +
        (report.targetRatePerSecond ? ` (target ${report.targetRatePerSecond}/s)` : '') +
        `, ${report.concurrency} terminal(s)`,
      `latency ms  p50 ${l.p50}  p95 ${l.p95}  p99 ${l.p99}  (min ${l.min}, mean ${l.mean}, max ${l.max})`,
      `service ms  p50 ${s.p50}  p95 ${s.p95}  p99 ${s.p99}`,
      ...report.errorSamples.map((e) => `error       ${e}`),
    ].join('\n') + '\n',
  );
}

/**
 * `load`: N payments (Authorize + Complete each) at a target rate over
 * `--concurrency` lanes. Each lane is its own demo terminal (its own DUKPT
 * device and KSN sequence, one payment at a time, as a real terminal) and
 * inserts its own card from `--card a,b,...` (round robin), because an
 * issuer refuses a card's cryptograms arriving out of ATC order.
 */
export function loadCommand(io: CliIo, setExit: ExitCodeSink): Command {
  const command = new Command('load')
    .description('drive N payments at a target rate and print throughput and latency percentiles')
    .option('--count <n>', 'payments to make', '100')
    .option(
      '--rate <per-second>',
      'target payments started per second (default: as fast as the lanes go)',
    )
    .option('--concurrency <n>', 'lanes (terminals) working at once', '1')
    .option('--card <names>', 'comma-separated test cards, one per lane round robin', DEFAULT_CARD)
    .option('--amount <amount>', 'amount of each payment', '1.00')
    .option('--kind <kind>', 'sale or preauth', 'sale')
    .option(
      '--skip-oda',
      'no offline data authentication (the card RSA work would otherwise bound the offered load)',
    );
  return withTerminalOptions(command).action(async (opts: LoadOptions) => {
    const setup = commonSetup(io, opts);
    const count = positiveInteger('count', opts.count, 10_000_000);
    const concurrency = positiveInteger('concurrency', opts.concurrency, 1000);
    const rate = opts.rate === undefined ? undefined : Number(opts.rate);
    if (rate !== undefined && !(rate > 0 && rate <= 1_000_000)) {
      throw new CliUsageError(`--rate must be a number above 0, got ${opts.rate}`);
    }
    if (opts.kind !== 'sale' && opts.kind !== 'preauth') {
      throw new CliUsageError(`--kind must be sale or preauth`);
    }
    const kind = opts.kind;
    const amountMinor = amountOption(opts.amount, setup.currency);
    const cards = opts.card.split(',').map((name) => cardOption(name.trim()));
    const client = createGrpcClient(cardInsertV1.CardInsertServiceService, setup.gateway, {
      deadlineMs: setup.timeoutMs,
    });
    try {
      const terminals = Array.from({ length: concurrency }, (_, lane) => {
        const terminalId = laneTerminalId(setup.terminalId, lane);
        return new Terminal({
          terminalId,
          key: injectInitialKey(testTerminalKey(setup.scheme, terminalNumberOf(terminalId))),
          gateway: cardInsertApiOf(client),
          state: setup.state,
          kernel: { offlineDataAuthentication: !opts.skipOda },
        });
      });
      const bar = new ProgressBar(io.stderr, count, { tty: io.stderrIsTty });
      const report = await runLoad({
        count,
        concurrency,
        ratePerSecond: rate,
        run: async (_index, lane) =>
          (
            await terminals[lane]!.pay({
              kind,
              card: cards[lane % cards.length]!,
              amountMinor,
              currency: setup.currency,
            })
          ).outcome,
        onProgress: (done, failed, elapsed) => bar.update(done, failed, elapsed),
      });
      bar.finish();
      printLoadReport(io, opts.json, report);
      setExit(report.errors === 0 ? EXIT.ok : EXIT.failed);
    } finally {
      client.close();
    }
  });
}
