/**
 * Load and CPU profile of the issuer simulator behind a real host link: the
 * same issuer side as tools/bench/card-insert.bench.ts, without the gateway.
 * Not a test (nothing asserts): a tool for measuring the CPU each
 * authorization costs the simulator and the link's client side.
 *
 * From the repository root:
 *   SWC_NODE_PROJECT=tsconfig.base.json \
 *     node -r @swc-node/register tools/bench/issuer-simulator.profile.ts \
 *     [--seconds 5] [--lanes 64] [--rate R[,R...]] [--in-process] [--sim-cpu-prof DIR]
 *     [--only codec|issuer|tcp] [--skip-max]
 *
 * Lanes = terminals = cards, one 0200 in flight per lane: half the lanes send
 * an 8-byte field 52 (ISO 9564 format 0 under the TDES zone PIN key), half a
 * 16-byte one (format 4 under the AES zone PIN key), and every request
 * carries field 55 with a real ARQC (Visa CVN 18 or Mastercard CVN 16 by
 * PAN), built beforehand so that the card's work is outside the timed phase.
 *
 * Phases:
 *  0. `codec`: pack and unpack of the requests and of their responses, the
 *     ISO 8583 work each side of the link does per message;
 *  1. `issuer only`: unpack, SimulatedIssuer.handle, pack, in this process,
 *     no socket: the simulator's processing alone;
 *  2. `over TCP`: the requests through a HostLink to the simulator app
 *     (apps/issuer-simulator, a child process started as the bench starts
 *     it: LOG_LEVEL warn, a journal file), or to an IssuerHost in this
 *     process with --in-process. Reports each side's CPU per message, at
 *     each lane's fastest (max) and, with --rate, also at R messages/s offered
 *     (each lane sends every lanes/R seconds), where messages arrive one by
 *     one, as they do from a gateway that is the bottleneck.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { primitive } from '@tillgate/emv';
import { HostLink } from '@tillgate/host-link';
import { ACQUIRER_SPEC, pack, unpack, type IsoMessage } from '@tillgate/iso8583';
import { DEMO_ZONE_PIN_KEYS } from '@tillgate/gateway';
import {
  ChipCardEmulator,
  IssuerHost,
  SimulatedIssuer,
  cardAccountFromSeed,
  type CardAccount,
} from '@tillgate/issuer-simulator';
import { createLogger, freePort as freePortOn } from '@tillgate/platform';

const ROOT = resolve(__dirname, '..', '..');
/** The demo estate's zone PIN keys, as the bench gives them to the simulator. TEST KEYS ONLY. */
const ZONE_PIN_KEYS = { tdes: DEMO_ZONE_PIN_KEYS.tdes.hex, aes: DEMO_ZONE_PIN_KEYS.aes.hex };
const BALANCE = 1_000_000_000;

function argument(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i < 0 ? undefined : process.argv[i + 1];
}

const seconds = Number(argument('--seconds') ?? 5);
const laneCount = Number(argument('--lanes') ?? 64);
const rates = (argument('--rate') ?? '').split(',').filter(Boolean).map(Number);
const inProcess = process.argv.includes('--in-process');
const only = argument('--only');
const simCpuProf = argument('--sim-cpu-prof');
const silent = createLogger({ level: 'silent' });

interface Lane {
  readonly requests: IsoMessage[];
  next: number;
}

/** The bench's card seeds (tools/bench/card-insert.bench.ts), so the same cards and CVNs. */
const seedOf = (lane: number) => `tillgate-bench-card-${String(lane + 1).padStart(2, '0')}`;

/** One card and terminal per lane; `perLane` 0200s each, STANs and ATCs rising. */
function makeLanes(perLane: number): { accounts: CardAccount[]; lanes: Lane[] } {
  const accounts: CardAccount[] = [];
  const lanes: Lane[] = [];
  const start = new Date();
  for (let lane = 0; lane < laneCount; lane++) {
    const account = cardAccountFromSeed(seedOf(lane), { balance: BALANCE, currency: '156' });
    accounts.push(account);
    const aes = lane >= laneCount / 2;
    const card = new ChipCardEmulator(account.profile, {
      zonePinKey: Buffer.from(aes ? ZONE_PIN_KEYS.aes : ZONE_PIN_KEYS.tdes, 'hex'),
      pinBlockFormat: aes ? 4 : 0,
      cryptogramVersion: account.terms.cryptogramVersion,
    });
    const terminalId = `TERM${String(lane + 1).padStart(4, '0')}`;
    const requests = Array.from({ length: perLane }, (_, i) => {
      const { request } = card.authorization({
        mti: '0200',
        amount: 1_000 + i,
        stan: i + 1,
        terminalId,
        at: start,
      });
      // As the gateway sends it (libs/card-insert host-link.issuer.ts): PAN and RRN too.
      const rrn = `${String(lane).padStart(4, '0')}${String(i + 1).padStart(8, '0')}`;
      return { ...request, fields: { ...request.fields, 2: account.profile.pan, 37: rrn } };
    });
    lanes.push({ requests, next: 0 });
  }
  return { accounts, lanes };
}

/** CPU ms of a process's live threads from the scheduler's own clock (/proc/PID/task/TID/schedstat, ns). */
function schedCpuMsOf(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  }
  return ns / 1e6;
}

function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

const freePort = () => freePortOn('127.0.0.1');

function report(name: string, messages: number, wallMs: number, cpu: Record<string, number>) {
  const perMessage = Object.entries(cpu)
    .map(([who, ms]) => `${who} ${(ms / messages).toFixed(3)} ms CPU/msg`)
    .join(', ');
  process.stdout.write(
    `${name}: ${messages} messages in ${(wallMs / 1000).toFixed(2)} s = ` +
      `${Math.round((1000 * messages) / wallMs)} msg/s; ${perMessage}\n`,
  );
}

function phaseCodec(lanes: Lane[]): void {
  const requests = lanes.flatMap((lane) => lane.requests.slice(0, 100));
  const responses = requests.map((m) => responseOf(m));
  const cpuStart = ownCpuMs();
  const wallStart = performance.now();
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < requests.length; i++) {
      unpack(pack(requests[i], ACQUIRER_SPEC), ACQUIRER_SPEC);
      unpack(pack(responses[i], ACQUIRER_SPEC), ACQUIRER_SPEC);
    }
  }
  report(
    'codec (pack + unpack of a 0200 and of its 0210)',
    20 * requests.length,
    performance.now() - wallStart,
    {
      'this process': ownCpuMs() - cpuStart,
    },
  );
}

/** A 0210 as the simulator answers an approval (fields echoed, 38, 39, tag 91). */
function responseOf(request: IsoMessage): IsoMessage {
  const echoed = [3, 4, 7, 11, 12, 13, 25, 37, 41, 42, 49];
  return {
    mti: '0210',
    fields: {
      ...Object.fromEntries(echoed.map((n) => [n, request.fields[n]])),
      38: '000001',
      39: '00',
      55: [primitive('91', Buffer.from('0123456789ABCDEF', 'hex'))],
    },
  };
}

function phaseIssuerOnly(accounts: CardAccount[], lanes: Lane[]): void {
  const issuer = new SimulatedIssuer({
    cards: accounts,
    zonePinKey: Buffer.from(ZONE_PIN_KEYS.tdes, 'hex'),
    aesZonePinKey: Buffer.from(ZONE_PIN_KEYS.aes, 'hex'),
    journalFile: join(mkdtempSync(join(tmpdir(), 'issuer-sim-profile-')), 'journal.jsonl'),
    logger: createLogger({ level: 'warn', name: 'issuer-simulator' }),
  });
  const frames = lanes.map((lane) => lane.requests.map((m) => pack(m, ACQUIRER_SPEC)));
  const perLane = Math.floor(lanes[0].requests.length / 2);
  const codes = new Map<string, number>();
  const cpuStart = ownCpuMs();
  const wallStart = performance.now();
  let messages = 0;
  for (let i = 0; i < perLane; i++) {
    for (const laneFrames of frames) {
      const response = issuer.handle(unpack(laneFrames[i], ACQUIRER_SPEC));
      if (!response) throw new Error('the simulator answered nothing to a 0200');
      const bytes = pack(response, ACQUIRER_SPEC);
      const code = String(unpack(bytes, ACQUIRER_SPEC).fields[39]);
      codes.set(code, (codes.get(code) ?? 0) + 1);
      messages++;
    }
  }
  report('issuer only (unpack, handle, pack)', messages, performance.now() - wallStart, {
    'this process': ownCpuMs() - cpuStart,
  });
  process.stdout.write(`  response codes: ${JSON.stringify(Object.fromEntries(codes))}\n`);
}

async function startChild(): Promise<{ child: ChildProcess; port: number; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'issuer-sim-profile-'));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...(simCpuProf ? ['--cpu-prof', `--cpu-prof-dir=${simCpuProf}`] : []),
      '-r',
      '@swc-node/register',
      'apps/issuer-simulator/src/main.ts',
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json'),
        ISSUER_SIM_PORT: String(port),
        ISSUER_SIM_CONTROL_PORT: String(await freePort()),
        ISSUER_SIM_ZONE_PIN_KEY: ZONE_PIN_KEYS.tdes,
        ISSUER_SIM_AES_ZONE_PIN_KEY: ZONE_PIN_KEYS.aes,
        ISSUER_SIM_CURRENCY: '156',
        ISSUER_SIM_OPENING_BALANCE: String(BALANCE),
        ISSUER_SIM_CARD_SEEDS: Array.from({ length: laneCount }, (_, i) => seedOf(i)).join(','),
        ISSUER_SIM_JOURNAL_FILE: join(dataDir, 'issuer.journal.jsonl'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((ready, fail) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ISO 8583 on')) ready();
    });
    child.once('exit', (code) => fail(new Error(`simulator exited ${code}: ${out}`)));
  });
  return { child, port, dataDir };
}

async function phaseOverTcp(accounts: CardAccount[], lanes: Lane[]): Promise<void> {
  let simulatorCpuMs: () => number;
  let stopSimulator: () => Promise<void>;
  let port: number;
  if (inProcess) {
    const issuer = new SimulatedIssuer({
      cards: accounts,
      zonePinKey: Buffer.from(ZONE_PIN_KEYS.tdes, 'hex'),
      aesZonePinKey: Buffer.from(ZONE_PIN_KEYS.aes, 'hex'),
      logger: createLogger({ level: 'warn', name: 'issuer-simulator' }),
    });
    const host = await IssuerHost.start({ issuer, port: 0, logger: silent });
    port = host.port;
    simulatorCpuMs = () => 0;
    stopSimulator = () => host.close();
  } else {
    const started = await startChild();
    port = started.port;
    const pid = started.child.pid ?? 0;
    simulatorCpuMs = () => schedCpuMsOf(pid);
    stopSimulator = async () => {
      const exited = new Promise((done) => started.child.once('exit', done));
      started.child.kill('SIGTERM');
      await exited;
      rmSync(started.dataDir, { recursive: true, force: true });
    };
  }
  const link = new HostLink({
    host: '127.0.0.1',
    port,
    keepAlive: false,
    requestTimeoutMs: 10_000,
    logger: silent,
  });
  link.start();
  await link.waitUntilReady(10_000);

  /** Sends each lane's requests for `ms`, one in flight per lane, every `periodMs` at most. */
  const run = async (ms: number, periodMs = 0) => {
    const codes = new Map<string, number>();
    let messages = 0;
    let errors = 0;
    const until = performance.now() + ms;
    const drive = async (lane: Lane, offset: number): Promise<void> => {
      let due = performance.now() + offset;
      while (performance.now() < until && lane.next < lane.requests.length) {
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        due += periodMs;
        try {
          const response = await link.request(lane.requests[lane.next++]);
          const code = String(response.fields[39]);
          codes.set(code, (codes.get(code) ?? 0) + 1);
          messages++;
        } catch {
          errors++;
        }
      }
    };
    const cpuStart = { client: ownCpuMs(), simulator: simulatorCpuMs() };
    const wallStart = performance.now();
    await Promise.all(lanes.map((lane, i) => drive(lane, (periodMs * i) / lanes.length)));
    const wallMs = performance.now() - wallStart;
    const cpu = {
      [inProcess ? 'client + simulator (one process)' : 'client (host link)']:
        ownCpuMs() - cpuStart.client,
      ...(inProcess ? {} : { simulator: simulatorCpuMs() - cpuStart.simulator }),
    };
    return { messages, errors, wallMs, cpu, codes };
  };
  const print = (name: string, r: Awaited<ReturnType<typeof run>>) => {
    report(name, r.messages, r.wallMs, r.cpu);
    process.stdout.write(
      `  response codes: ${JSON.stringify(Object.fromEntries(r.codes))}; errors ${r.errors}\n`,
    );
  };
  // Warm up (JIT, connection), then measure.
  await run(1_000);
  const where = inProcess ? ' (in-process simulator)' : '';
  if (!process.argv.includes('--skip-max'))
    print(`over TCP${where}, max`, await run(seconds * 1000));
  for (const rate of rates) {
    print(
      `over TCP${where}, ${rate}/s offered`,
      await run(seconds * 1000, (1000 * lanes.length) / rate),
    );
  }

  await link.close();
  await stopSimulator();
}

async function main(): Promise<void> {
  const perLane = Math.ceil(
    ((seconds + 1) * 6_000 + seconds * rates.reduce((a, b) => a + b, 0)) / laneCount,
  );
  const built = performance.now();
  const { accounts, lanes } = makeLanes(perLane);
  process.stdout.write(
    `${laneCount} lanes x ${perLane} requests built in ${Math.round(performance.now() - built)} ms\n`,
  );
  if (!only || only === 'codec') phaseCodec(lanes);
  if (!only || only === 'issuer') phaseIssuerOnly(accounts, lanes);
  if (!only || only === 'tcp') await phaseOverTcp(accounts, lanes);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
