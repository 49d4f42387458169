/**
 * Card-insert authorization benchmark (issue 7, item 6). With the local
 * infrastructure up, from the repository root:
 *   node tools/infra/infra.mjs up && eval "$(node tools/infra/infra.mjs env --export)"
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/card-insert.bench.ts [--seconds N] [--rate R] [--quick] [--dry-run] [--profile]
 *
 * In one run, on one fresh Postgres database and the real Kafka broker:
 *  1. the all-in-one gateway (apps/gateway, its own process) is provisioned
 *     once in demo mode (test keys, 32 TDES + 32 AES demo terminals), then
 *     restarted in production mode on those files with the outbox relay to
 *     Kafka, against an issuer simulator in a third process (apps/issuer-
 *     simulator, ISO 8583 over TCP) that holds one test card per lane;
 *  2. `terminal-sim load` drives whole sales (EMV, Authorize, Complete);
 *  3. the bench pre-generates Authorize requests exactly as the terminals
 *     make them (MACed, track 2 and PIN under DUKPT, rising KSN per terminal,
 *     rising ATC per card), then sends them as raw bytes: the terminal's work
 *     is outside the timed phases (a fixed offered load, then the maximum,
 *     sized by a short untimed run);
 *  4. the baseline: a raw grpc-js unary echo server (its own process) that
 *     does one raw `pg` single-row INSERT per request, with the same request
 *     and response sizes, driven by the same lanes at the same offered loads.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { arch, cpus, loadavg, platform, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import {
  Client as GrpcClient,
  Server,
  ServerCredentials,
  credentials,
  status as grpcStatus,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { Client, Pool } from 'pg';
import { cardInsertV1 } from '@tillgate/contracts';
import { DEMO_PAN_TOKEN_KEY_ID, DEMO_ZONE_PIN_KEYS } from '@tillgate/gateway';
import { freePort as freePortOn } from '@tillgate/platform';
import {
  FileTerminalStateStore,
  InMemoryTerminalStateStore,
  Terminal,
  injectInitialKey,
  loadTestCard,
  testTerminalKey,
  type CardInsertApi,
  type DukptSchemeName,
  type TestCard,
} from '@tillgate/terminal-sim';
import { formatRate, markdownTable, parseBenchOptions, writeSection } from './report';

const ROOT = resolve(__dirname, '..', '..');
const AUTHORIZE_PATH = '/tillgate.card_insert.v1.CardInsertService/Authorize';
const ECHO_PATH = '/tillgate.bench.v1.Echo/Echo';
const identity = (b: Buffer) => b;

const DEMO_TERMINALS_PER_SCHEME = 32;
/** Rounds of the fixed-load phase per side, taking turns. */
const FIXED_ROUNDS = 3;

// ---------------------------------------------------------------- the echo server (child process)

/** Baseline server: unary echo of a response-sized buffer after one raw INSERT (autocommit). */
async function echoServer(): Promise<void> {
  const { DATABASE_URL, ECHO_PORT, RESPONSE_BYTES, PAYLOAD_BYTES, PG_POOL } = process.env;
  const pool = new Pool({ connectionString: DATABASE_URL, max: Number(PG_POOL) });
  const response = randomBytes(Number(RESPONSE_BYTES));
  const payload = randomBytes(Number(PAYLOAD_BYTES));
  let version = 0;
  const server = new Server();
  const implementation: UntypedServiceImplementation = {
    Echo: (
      _call: { request: Buffer },
      callback: (error: ServiceError | null, value?: Buffer) => void,
    ) => {
      version++;
      pool
        .query(RAW_INSERT, [
          randomUUID(),
          `raw-${process.pid}`,
          version,
          'tillgate.card_insert.v1.Authorized',
          1,
          new Date(),
          new Date(),
          randomUUID(),
          'merchant-demo-0001',
          payload,
        ])
        .then(
          () => callback(null, response),
          (error: Error) =>
            callback({ name: 'Error', message: error.message, code: grpcStatus.INTERNAL } as never),
        );
    },
  };
  server.addService(
    {
      Echo: {
        path: ECHO_PATH,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    implementation,
  );
  await new Promise<void>((done, fail) =>
    server.bindAsync(`127.0.0.1:${ECHO_PORT}`, ServerCredentials.createInsecure(), (e) =>
      e ? fail(e) : done(),
    ),
  );
  process.once('SIGTERM', () => {
    server.forceShutdown();
    void pool.end().then(() => process.exit(0));
  });
}

/** The same row shape our append writes to es_events, into a table created LIKE it. */
const RAW_INSERT = `INSERT INTO raw_events (event_id, stream_id, stream_version, event_type, schema_version, occurred_at,
  recorded_at, correlation_id, causation_id, merchant_id, payload) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10)`;

// ---------------------------------------------------------------- options

const HELP = `Usage: card-insert.bench.ts [--rate R] [--seconds N] [--lanes L] [--sim-count N] [--profile] [--quick] [--dry-run]
  --rate R       fixed offered load, authorizations/s (default 20: below what the gateway sustains on the 2-core machine)
  --seconds N    seconds per timed phase (default 10)
  --lanes L      lanes = terminals = cards, 1..64 (default 64: the 32 TDES then the 32 AES demo terminals)
  --sim-count N  payments of the terminal-sim load run (default 200)
  --profile      run the gateways under node --cpu-prof and add the profiles' top costs to the section
  --quick        short phases (a smoke run, noisy)
  --dry-run      print the markdown section instead of writing docs/benchmarks.md
Needs DATABASE_URL (Postgres) and KAFKA_BROKERS: node tools/infra/infra.mjs up && eval "$(node tools/infra/infra.mjs env --export)"
`;

function options() {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const take = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const value = argv[i + 1];
    argv.splice(i, 2);
    return value;
  };
  const rate = take('--rate');
  const lanes = take('--lanes');
  const simCount = take('--sim-count');
  const profile = argv.includes('--profile');
  const base = parseBenchOptions(
    argv.filter((a) => a !== '--profile'),
    { seconds: 10, quickSeconds: 2, rounds: 1 },
  );
  return {
    ...base,
    /** Fixed offered load, authorizations per second. */
    rate: rate === undefined ? 20 : Number(rate),
    lanes: lanes === undefined ? 2 * DEMO_TERMINALS_PER_SCHEME : Number(lanes),
    simCount: simCount === undefined ? (base.quick ? 100 : 200) : Number(simCount),
    profile,
  };
}

// ---------------------------------------------------------------- processes

const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const freePort = () => freePortOn('127.0.0.1');

async function waitForPort(port: number, child: ChildProcess, what: string): Promise<void> {
  const until = now() + 90_000;
  while (now() < until) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((done) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (open) return;
    await sleep(200);
  }
  throw new Error(`${what} did not open port ${port} within 90 s`);
}

/** A TypeScript entry point in its own node process, through swc like the apps' bins. */
function startNode(
  script: string,
  env: Record<string, string>,
  args: string[] = [],
  nodeArgs: string[] = [],
): ChildProcess {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '-r', '@swc-node/register', script, ...args],
    {
      cwd: ROOT,
      env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let tail = '';
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal === null)
      process.stderr.write(`${basename(script)} exited ${code}:\n${tail}\n`);
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(20_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** User + system CPU seconds a process has used so far (Linux /proc). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined || platform() !== 'linux') return NaN;
  try {
    // The fields after the command name (which may hold spaces) end with ') '.
    const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in 100 Hz ticks
  } catch {
    return NaN;
  }
}

/** Busy CPU seconds of the whole machine so far (all cores). */
function machineCpuSeconds(): number {
  if (platform() !== 'linux') return NaN;
  const cpuLine = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = cpuLine.trim().split(/\s+/).map(Number);
  return [user, nice, system, irq, softirq, steal].reduce((a, b) => a + (b ?? NaN), 0) / 100;
}

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

// ---------------------------------------------------------------- requests

interface Lane {
  readonly terminalId: string;
  readonly terminal: Terminal;
  readonly card: TestCard;
  readonly requests: Buffer[];
  next: number;
}

const CAPTURED = new Error('captured: the bench sends it later');

/**
 * One terminal simulator `Terminal` per lane, with a gateway stand-in that
 * keeps the encoded Authorize request instead of sending it. One terminal and
 * one card per lane: KSNs rise per terminal and ATCs per card in the order
 * each lane sends them. Terminals continue from `statePath` (what
 * `terminal-sim load` used before), so the gateway sees KSNs keep rising.
 */
function createLanes(lanes: number, statePath: string): Lane[] {
  const state = new InMemoryTerminalStateStore(new FileTerminalStateStore(statePath).read());
  return Array.from({ length: lanes }, (_, lane) => {
    const scheme: DukptSchemeName = lane < DEMO_TERMINALS_PER_SCHEME ? 'tdes' : 'aes';
    const n = (lane % DEMO_TERMINALS_PER_SCHEME) + 1;
    const terminalId =
      scheme === 'tdes'
        ? `TERM${String(n).padStart(4, '0')}`
        : `TERMA${String(n).padStart(3, '0')}`;
    const requests: Buffer[] = [];
    const capture: Partial<CardInsertApi> = {
      Authorize: (request) => {
        requests.push(Buffer.from(cardInsertV1.AuthorizeRequest.encode(request).finish()));
        return Promise.reject(CAPTURED);
      },
    };
    const terminal = new Terminal({
      terminalId,
      key: injectInitialKey(testTerminalKey(scheme, n)),
      gateway: capture as CardInsertApi,
      state,
      // The issuer does not check offline data authentication; leaving it out only makes generation faster.
      kernel: { offlineDataAuthentication: false },
    });
    return { terminalId, terminal, card: loadTestCard(benchCard(lane)), requests, next: 0 };
  });
}

/**
 * Makes each lane hold at least `unsent` requests not sent yet: the EMV flow
 * to the ARQC, track 2 and PIN under DUKPT, the MAC (the terminal's work,
 * untimed). Returns the seconds it took.
 */
function topUp(lanes: Lane[], unsent: number): number {
  const t = now();
  for (const lane of lanes) {
    while (lane.requests.length - lane.next < unsent) {
      const before = lane.requests.length;
      // pay() runs synchronously up to the Authorize call, so the request is captured on return.
      void lane.terminal
        .pay({ kind: 'sale', card: lane.card, amountMinor: 100n, currency: 'CNY' })
        .catch((e) => (e === CAPTURED ? undefined : Promise.reject(e)));
      if (lane.requests.length !== before + 1) throw new Error('a request was not captured');
    }
  }
  return (now() - t) / 1000;
}

const benchCard = (lane: number) => `tillgate-bench-card-${String(lane + 1).padStart(2, '0')}`;
const simCard = (lane: number) => `tillgate-bench-sim-card-${lane + 1}`;

// ---------------------------------------------------------------- the load driver

interface Phase {
  readonly name: string;
  readonly offered: number | null;
  readonly completed: number;
  readonly errors: number;
  readonly errorSamples: string[];
  readonly seconds: number;
  readonly latenciesMs: number[];
  readonly responses: Buffer[];
  readonly cpu: CpuSeconds;
  readonly load: { before: string; after: string };
}

type Send = (lane: number) => Promise<Buffer>;

/**
 * `lanes` lanes, each one request at a time (a terminal never has two in
 * flight, and a card's ATCs must reach the issuer in order). With `rate`,
 * request j is due at j / rate s (open loop) on lane j mod lanes, and its
 * latency runs from its due time, so queueing behind a slow answer counts
 * (no coordinated omission). Without, each lane sends as soon as its last
 * answer came back (maximum throughput), for `seconds` or until `limit`
 * requests per lane are spent.
 */
async function runPhase(
  name: string,
  send: Send,
  lanes: number,
  rate: number | null,
  seconds: number,
  limitPerLane: number,
  pids: { gateway?: number; issuer?: number },
): Promise<Phase> {
  const latenciesMs: number[] = [];
  const responses: Buffer[] = [];
  const errorSamples = new Set<string>();
  let errors = 0;
  const cpuBefore = cpuSnapshot(pids);
  const loadBefore = loadAverage();
  const start = now();
  const end = start + seconds * 1000;
  const total =
    rate === null ? Infinity : Math.min(Math.round(rate * seconds), lanes * limitPerLane);
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      for (let k = 0; k < limitPerLane; k++) {
        const j = k * lanes + lane;
        let due: number;
        if (rate === null) {
          if (now() >= end) return;
          due = now();
        } else {
          if (j >= total) return;
          due = start + (j * 1000) / rate;
          const wait = due - now();
          if (wait > 0) await sleep(wait);
        }
        try {
          responses.push(await send(lane));
        } catch (error) {
          errors++;
          if (errorSamples.size < 3) errorSamples.add((error as Error).message);
          continue;
        }
        latenciesMs.push(now() - Math.min(due, now()));
      }
    }),
  );
  const elapsed = (now() - start) / 1000;
  const cpuAfter = cpuSnapshot(pids);
  const cpu: CpuSeconds = {
    gateway: cpuAfter.gateway - cpuBefore.gateway,
    issuer: cpuAfter.issuer - cpuBefore.issuer,
    client: cpuAfter.client - cpuBefore.client,
    machine: cpuAfter.machine - cpuBefore.machine,
  };
  return {
    name,
    offered: rate,
    completed: latenciesMs.length,
    errors,
    errorSamples: [...errorSamples],
    seconds: elapsed,
    latenciesMs,
    responses,
    cpu,
    load: { before: loadBefore, after: loadAverage() },
  };
}

/** CPU seconds used so far: the server under test, the issuer simulator, this process, the machine. */
interface CpuSeconds {
  readonly gateway: number;
  readonly issuer: number;
  readonly client: number;
  readonly machine: number;
}

function cpuSnapshot(pids: { gateway?: number; issuer?: number }): CpuSeconds {
  const usage = process.cpuUsage();
  return {
    gateway: cpuSeconds(pids.gateway),
    issuer: cpuSeconds(pids.issuer),
    client: (usage.user + usage.system) / 1e6,
    machine: machineCpuSeconds(),
  };
}

function unary(client: GrpcClient, path: string, request: Buffer): Promise<Buffer> {
  return new Promise((done, fail) =>
    client.makeUnaryRequest(
      path,
      identity,
      identity,
      request,
      { deadline: Date.now() + 15_000 },
      (error, value) => (error || !value ? fail(error ?? new Error('no response')) : done(value)),
    ),
  );
}

/** Rounds of one case as one phase: their requests, time and CPU added up. */
function pooled(rounds: readonly Phase[]): Phase {
  const sum = (f: (p: Phase) => number) => rounds.reduce((a, p) => a + f(p), 0);
  return {
    name: rounds[0].name,
    offered: rounds[0].offered,
    completed: sum((p) => p.completed),
    errors: sum((p) => p.errors),
    errorSamples: [...new Set(rounds.flatMap((p) => p.errorSamples))].slice(0, 3),
    seconds: sum((p) => p.seconds),
    latenciesMs: rounds.flatMap((p) => p.latenciesMs),
    responses: rounds.flatMap((p) => p.responses),
    cpu: {
      gateway: sum((p) => p.cpu.gateway),
      issuer: sum((p) => p.cpu.issuer),
      client: sum((p) => p.cpu.client),
      machine: sum((p) => p.cpu.machine),
    },
    load: { before: rounds[0].load.before, after: rounds[rounds.length - 1].load.after },
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const ms = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(2));
const rateOf = (p: Phase) => p.completed / p.seconds;

/** Response codes of the Authorize answers: "00" approved, anything else declined. */
function outcomes(p: Phase): string {
  const codes = new Map<string, number>();
  for (const r of p.responses) {
    const code = cardInsertV1.AuthorizeResponse.decode(r).responseCode || '(none)';
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  return [...codes.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code}: ${n}`)
    .join(', ');
}

// ---------------------------------------------------------------- the CPU profile

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const NOT_BUSY = new Set(['(idle)', '(program)', '(garbage collector)']);

/**
 * From a V8 .cpuprofile, as shares of the busy samples (idle, "program" and
 * GC left out): self time by function and by package or file, and inclusive
 * time by file of ours (libs/, apps/): time with that file anywhere on the
 * stack, which charges native work (fs, crypto) to the code that asked for it.
 */
function summariseProfile(file: string): {
  busyShare: string;
  functions: string[][];
  places: string[][];
  ours: string[][];
} {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const frameOf = (id: number) => {
    const node = byId.get(id);
    if (!node) throw new Error(`${file}: sample of unknown node ${id}`);
    return node.callFrame;
  };
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) =>
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
  );
  const all = [...self.values()].reduce((a, b) => a + b, 0);
  const place = (url: string) => {
    if (!url) return '(native / V8)';
    const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (nm?.[1]) return nm[1];
    if (url.startsWith('node:')) return url;
    const lib = /\/(libs|apps)\/([^/]+)\/src\/(.*)$/.exec(url);
    return lib ? `${lib[1]}/${lib[2]}/${lib[3]}` : basename(url);
  };
  const fn = new Map<string, number>();
  const pl = new Map<string, number>();
  const ours = new Map<string, number>();
  let busy = 0;
  const add = (m: Map<string, number>, k: string, us: number) => m.set(k, (m.get(k) ?? 0) + us);
  for (const [id, us] of self) {
    const f = frameOf(id);
    if (NOT_BUSY.has(f.functionName)) continue;
    busy += us;
    // Native frames (socket and file writes, ciphers) are named with the first frame outside node that called them.
    let caller = '';
    if (!f.url) {
      for (let at = parent.get(id); at !== undefined; at = parent.get(at)) {
        const url = frameOf(at).url;
        // Past node's own internals, to the library or file that asked.
        if (url && !url.startsWith('node:')) {
          caller = ` via ${place(url)}`;
          break;
        }
      }
    }
    add(
      fn,
      `${f.functionName || '(anonymous)'} (${f.url ? `${place(f.url)}:${f.lineNumber + 1}` : `native${caller}`})`,
      us,
    );
    add(pl, place(f.url), us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const url = frameOf(at).url;
      if (/\/(libs|apps)\//.test(url) && !url.includes('node_modules')) seen.add(place(url));
    }
    for (const k of seen) add(ours, k, us);
  }
  const top = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([k, us]) => [`\`${k.replace(/\|/g, '\\|')}\``, `${((100 * us) / busy).toFixed(1)}%`]);
  return {
    busyShare: `${((100 * busy) / all).toFixed(0)}%`,
    functions: top(fn),
    places: top(pl),
    ours: top(ours),
  };
}

// ---------------------------------------------------------------- database probes

/** Transactions committed in the database so far (all connections: appends, loads, relay checkpoints). */
async function committedTransactions(db: Client, name: string): Promise<number> {
  const { rows } = await db.query<{ commits: string }>(
    'SELECT xact_commit::text AS commits FROM pg_stat_database WHERE datname = $1',
    [name],
  );
  return Number(rows[0]?.commits ?? NaN);
}

/** Outbox entries past every relay checkpoint: appended but not yet acknowledged by Kafka. */
async function outboxBacklog(db: Client): Promise<number> {
  const { rows } = await db.query<{ backlog: number }>(
    `SELECT count(*)::int AS backlog FROM es_outbox o
      WHERE NOT EXISTS (SELECT 1 FROM es_relay_checkpoints c
                         WHERE (o.tx_id, o.position) <= (c.tx_id, c.position))`,
  );
  return rows[0]?.backlog ?? NaN;
}

/** Key-store audit records (one per key used by an operation) by operation type. */
function auditRecords(file: string): string[] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { type: string; outcome: string }).type);
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const opts = options();
  const { DATABASE_URL, KAFKA_BROKERS } = process.env;
  if (!DATABASE_URL?.startsWith('postgres') || !KAFKA_BROKERS) {
    process.stderr.write(
      'DATABASE_URL (Postgres) and KAFKA_BROKERS must be set: run `node tools/infra/infra.mjs up` and eval its `env --export`\n',
    );
    process.exit(2);
  }
  const loadAtStart = loadAverage();
  const log = (line: string) => process.stderr.write(`[card-insert bench] ${line}\n`);
  const dbName = `tillgate_bench_ci_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = new URL(DATABASE_URL);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  const dataDir = mkdtempSync(join(tmpdir(), 'tillgate-bench-ci-'));
  const profileDir = join(dataDir, 'profile');
  const children: ChildProcess[] = [];
  const grpcClients: GrpcClient[] = [];
  try {
    // 1. Provision the demo estate (keys, terminals) in demo mode, then stop.
    const demoPort = await freePort();
    const demo = startNode('apps/gateway/src/main.ts', {
      TILLGATE_MODE: 'demo',
      TILLGATE_DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: '',
      TILLGATE_GRPC_PORT: String(demoPort),
      TILLGATE_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    });
    children.push(demo);
    await waitForPort(demoPort, demo, 'the gateway (demo provisioning)');
    await stop(demo);
    log(`demo estate provisioned in ${dataDir}`);

    // 2. The issuer simulator, one card per lane (and per terminal-sim lane).
    const simLanes = 8;
    const issuerPort = await freePort();
    const issuer = startNode('apps/issuer-simulator/src/main.ts', {
      ISSUER_SIM_PORT: String(issuerPort),
      ISSUER_SIM_CONTROL_PORT: String(await freePort()),
      ISSUER_SIM_ZONE_PIN_KEY: DEMO_ZONE_PIN_KEYS.tdes.hex,
      ISSUER_SIM_AES_ZONE_PIN_KEY: DEMO_ZONE_PIN_KEYS.aes.hex,
      ISSUER_SIM_CURRENCY: '156',
      ISSUER_SIM_OPENING_BALANCE: String(1_000_000_000),
      ISSUER_SIM_CARD_SEEDS: [
        ...Array.from({ length: opts.lanes }, (_, i) => benchCard(i)),
        ...Array.from({ length: simLanes }, (_, i) => simCard(i)),
      ].join(','),
      ISSUER_SIM_JOURNAL_FILE: join(dataDir, 'issuer.journal.jsonl'),
      LOG_LEVEL: 'warn',
    });
    children.push(issuer);
    await waitForPort(issuerPort, issuer, 'the issuer simulator');

    // 3. The gateway in production mode on the demo estate's files, outbox relay to Kafka.
    const gatewayEnv = {
      TILLGATE_MODE: 'production',
      TILLGATE_DATA_DIR: dataDir,
      TILLGATE_MASTER_KEY_FILE: join(dataDir, 'demo-master.key'),
      TILLGATE_KEY_STORE_FILE: join(dataDir, 'keys.json'),

      TILLGATE_KEY_AUDIT_FILE: join(dataDir, 'keys.audit.jsonl'),
      CARD_INSERT_TERMINALS_FILE: join(dataDir, 'demo-terminals.json'),
      CARD_INSERT_ISSUER_HOST: `127.0.0.1:${issuerPort}`,
      CARD_INSERT_PAN_TOKEN_KEY_ID: DEMO_PAN_TOKEN_KEY_ID,
      CARD_INSERT_ZONE_PIN_KEY_TDES_ID: DEMO_ZONE_PIN_KEYS.tdes.id,
      CARD_INSERT_ZONE_PIN_KEY_AES_ID: DEMO_ZONE_PIN_KEYS.aes.id,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS,
      TILLGATE_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    };
    const gatewayPort = await freePort();
    const gateway = startNode(
      'apps/gateway/src/main.ts',
      { ...gatewayEnv, TILLGATE_GRPC_PORT: String(gatewayPort) },
      [],
      opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    );
    children.push(gateway);
    await waitForPort(gatewayPort, gateway, 'the gateway (production mode)');
    await sleep(1000);
    const gatewayClient = new GrpcClient(`127.0.0.1:${gatewayPort}`, credentials.createInsecure());
    grpcClients.push(gatewayClient);
    const gatewayAddress = `127.0.0.1:${gatewayPort}`;
    log(`gateway on ${gatewayAddress}, issuer simulator on 127.0.0.1:${issuerPort}`);

    // 4. terminal-sim load: whole sales, terminal work included (also warms the gateway up).
    const statePath = join(dataDir, 'terminal-sim-state.json');
    const sim = await new Promise<{ report: TerminalSimReport; command: string }>((done, fail) => {
      const args = [
        'load',
        '--gateway',
        gatewayAddress,
        '--count',
        String(opts.simCount),
        '--concurrency',
        String(simLanes),
        '--card',
        Array.from({ length: simLanes }, (_, i) => simCard(i)).join(','),
        '--state',
        statePath,
        '--json',
      ];
      const child = spawn(process.execPath, ['apps/terminal-sim/bin/terminal-sim.js', ...args], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
      child.once('exit', () => {
        try {
          done({
            report: JSON.parse(out.trim().split('\n').pop() ?? '') as TerminalSimReport,
            command: `npx terminal-sim ${args.join(' ').replace(gatewayAddress, '<gateway>').replace(statePath, '<state file>')}`,
          });
        } catch {
          fail(new Error(`terminal-sim load gave no report:\n${out}\n${err}`));
        }
      });
    });
    const loadAfterSim = loadAverage();
    log(`terminal-sim load: ${sim.report.throughputPerSecond}/s, errors ${sim.report.errors}`);

    // 5. The lanes' terminals, continuing from terminal-sim's state; their requests are made per phase, untimed.
    const warmupPerLane = opts.quick ? 2 : 5;
    const lanes = createLanes(opts.lanes, statePath);
    const fixedPerLane = Math.ceil((opts.rate * opts.seconds) / opts.lanes) + 1;
    let generated = topUp(lanes, warmupPerLane);
    const requestBytes = Math.round(
      lanes.reduce((a, l) => a + (l.requests[0]?.length ?? 0), 0) / lanes.length,
    );

    // 6. The baseline echo server (needs es_events, created by the gateway's migrations).
    const probe = new Client({ connectionString: databaseUrl });
    await probe.connect();
    await probe.query('CREATE TABLE raw_events (LIKE es_events INCLUDING ALL)');
    const [{ payload_bytes }] = (
      await probe.query<{ payload_bytes: number }>(
        `SELECT coalesce(round(avg(length(payload))), 300)::int AS payload_bytes FROM es_events`,
      )
    ).rows;

    const sendTo =
      (client: GrpcClient): Send =>
      (lane) => {
        const l = lanes[lane];
        const request = l?.requests[l.next++];
        if (!request) return Promise.reject(new Error(`lane ${lane} ran out of requests`));
        return unary(client, AUTHORIZE_PATH, request);
      };
    const sendOurs = sendTo(gatewayClient);
    const pids = { gateway: gateway.pid, issuer: issuer.pid };
    // Warm-up of our path (JIT, pools, Kafka producer), untimed.
    const warm = await runPhase('warm-up', sendOurs, opts.lanes, null, 60, warmupPerLane, pids);
    const responseBytes = Math.round(
      warm.responses.reduce((a, r) => a + r.length, 0) / Math.max(1, warm.responses.length),
    );
    log(
      `warm-up: ${warm.completed} ok, ${warm.errors} errors ${warm.errorSamples.join('; ')}; ${outcomes(warm)}`,
    );
    if (warm.errors > warm.completed / 100)
      throw new Error(
        `the gateway refused the warm-up (${warm.errorSamples.join('; ')}): nothing to measure`,
      );

    const echoPort = await freePort();
    const pgPool = 10;
    const echo = startNode(
      __filename,
      {
        DATABASE_URL: databaseUrl,
        ECHO_PORT: String(echoPort),
        RESPONSE_BYTES: String(responseBytes),
        PAYLOAD_BYTES: String(payload_bytes),
        PG_POOL: String(pgPool),
      },
      ['--echo-server'],
    );
    children.push(echo);
    await waitForPort(echoPort, echo, 'the echo server');
    const raw = new GrpcClient(`127.0.0.1:${echoPort}`, credentials.createInsecure());
    grpcClients.push(raw);
    const echoRequest = randomBytes(requestBytes);
    const sendRaw: Send = () => unary(raw, ECHO_PATH, echoRequest);
    const rawPids = { gateway: echo.pid, issuer: undefined };
    await runPhase('warm-up', sendRaw, opts.lanes, null, 1, 200, rawPids);

    // 7. Timed phases: fixed offered load, then maximum throughput; baseline then ours each time.
    // Each lane holds enough requests for the phase (made beforehand); a max phase ends
    // early if its lanes run out, and its rate is over the time it ran.
    const unsent = () => Math.min(...lanes.map((l) => l.requests.length - l.next));
    // The fixed load in FIXED_ROUNDS rounds, raw and ours taking turns (raw first, then
    // ours first...), each side's rounds pooled: a stall of the machine (a Postgres
    // checkpoint, another process) lands in one round of one side, not in every p99.
    const rawRounds: Phase[] = [];
    const oursRounds: Phase[] = [];
    for (let round = 0; round < FIXED_ROUNDS; round++) {
      generated += topUp(lanes, fixedPerLane);
      const runRaw = async () =>
        rawRounds.push(
          await runPhase('raw', sendRaw, opts.lanes, opts.rate, opts.seconds, 1e9, rawPids),
        );
      const runOurs = async () =>
        oursRounds.push(
          await runPhase('ours', sendOurs, opts.lanes, opts.rate, opts.seconds, unsent(), pids),
        );
      if (round % 2 === 0) {
        await runRaw();
        await runOurs();
      } else {
        await runOurs();
        await runRaw();
      }
    }
    const rawFixed = pooled(rawRounds);
    const oursFixed = pooled(oursRounds);
    log(
      `fixed ${opts.rate}/s: raw ${formatRate(rateOf(rawFixed))}/s, ours ${formatRate(rateOf(oursFixed))}/s; p99 per round raw ${rawRounds.map((r) => ms(percentile(r.latenciesMs, 99))).join(' / ')}, ours ${oursRounds.map((r) => ms(percentile(r.latenciesMs, 99))).join(' / ')}`,
    );
    const rawMax = await runPhase('raw', sendRaw, opts.lanes, null, opts.seconds, 1e9, rawPids);
    // A short untimed run at max sizes the timed one: requests for 2 s at the raw
    // baseline's rate (an upper bound), then for the timed phase at 1.5x the rate it reached.
    const sizingSeconds = 2;
    generated += topUp(lanes, Math.ceil((rateOf(rawMax) * sizingSeconds) / opts.lanes) + 1);
    const sizing = await runPhase(
      'sizing',
      sendOurs,
      opts.lanes,
      null,
      sizingSeconds,
      unsent(),
      pids,
    );
    const maxGuess = Math.max(60, 1.5 * rateOf(sizing));
    generated += topUp(lanes, Math.ceil((maxGuess * opts.seconds) / opts.lanes) + 1);
    const auditFile = join(dataDir, 'keys.audit.jsonl');
    const auditBefore = auditRecords(auditFile).length;
    const commitsBefore = await committedTransactions(probe, dbName);
    const oursMax = await runPhase(
      'ours',
      sendOurs,
      opts.lanes,
      null,
      opts.seconds,
      unsent(),
      pids,
    );
    log(`max: raw ${formatRate(rateOf(rawMax))}/s, ours ${formatRate(rateOf(oursMax))}/s`);
    const backlogAfterMax = await outboxBacklog(probe);
    await sleep(1500); // statistics reach pg_stat_database within a second or so
    const commitsPerAuth =
      ((await committedTransactions(probe, dbName)) - commitsBefore) /
      Math.max(1, oursMax.completed);
    const auditPerAuth = new Map<string, number>();
    for (const type of auditRecords(auditFile).slice(auditBefore))
      auditPerAuth.set(type, (auditPerAuth.get(type) ?? 0) + 1 / Math.max(1, oursMax.completed));
    const sent = lanes.reduce((a, l) => a + l.next, 0);
    log(
      `requests made by the terminals in ${generated.toFixed(1)} s (${((1000 * generated) / lanes.reduce((a, l) => a + l.requests.length, 0)).toFixed(2)} ms each), ${sent} sent`,
    );
    const [{ events }] = (
      await probe.query<{ events: number }>('SELECT count(*)::int AS events FROM es_events')
    ).rows;
    await probe.end();
    const loadAtEnd = loadAverage();

    for (const c of grpcClients.splice(0)) c.close();
    await stop(echo);
    await stop(gateway); // writes its CPU profile
    await stop(issuer);
    const profileFile = opts.profile
      ? readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'))
      : undefined;
    const profileSummary = profileFile ? summariseProfile(join(profileDir, profileFile)) : null;

    const failed = [warm, oursFixed, sizing, oursMax].find(
      (phase) => phase.errors > phase.completed / 100,
    );
    if (failed) {
      // A gateway refusing most requests measures nothing: better no section than a wrong one.
      throw new Error(
        `${failed.name}: ${failed.errors} errors for ${failed.completed} answers (${failed.errorSamples.join('; ')}); not writing the section`,
      );
    }
    const markdown = report({
      opts,
      loadAtStart,
      loadAfterSim,
      loadAtEnd,
      sim,
      requestBytes,
      responseBytes,
      payloadBytes: payload_bytes,
      pgPool,
      rawFixed,
      oursFixed,
      rawRoundP99sMs: rawRounds.map((p) => percentile(p.latenciesMs, 99)),
      oursRoundP99sMs: oursRounds.map((p) => percentile(p.latenciesMs, 99)),
      roundSamples: Math.min(...[...rawRounds, ...oursRounds].map((p) => p.latenciesMs.length)),
      rawMax,
      oursMax,
      events,
      commitsPerAuth,
      backlogAfterMax,
      profileSummary,
      auditPerAuth,
    });
    if (opts.dryRun) process.stdout.write(`${markdown}\n`);
    else {
      writeSection('card-insert', markdown);
      log('wrote the card-insert section of docs/benchmarks.md');
    }
  } finally {
    for (const c of grpcClients) c.close();
    for (const child of children) await stop(child);
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface TerminalSimReport {
  count: number;
  concurrency: number;
  durationMs: number;
  throughputPerSecond: number;
  outcomes: Record<string, number>;
  errors: number;
  errorSamples: string[];
  latencyMs: { p50: number; p95: number; p99: number };
  serviceTimeMs: { p50: number; p95: number; p99: number };
}

// ---------------------------------------------------------------- the section

function report(r: {
  opts: ReturnType<typeof options>;
  loadAtStart: string;
  loadAfterSim: string;
  loadAtEnd: string;
  sim: { report: TerminalSimReport; command: string };
  requestBytes: number;
  responseBytes: number;
  payloadBytes: number;
  pgPool: number;
  rawFixed: Phase;
  oursFixed: Phase;
  rawRoundP99sMs: number[];
  oursRoundP99sMs: number[];
  /** Latencies behind each round's p99 (the fewest of any round). */
  roundSamples: number;
  rawMax: Phase;
  oursMax: Phase;
  events: number;
  backlogAfterMax: number;
  commitsPerAuth: number;
  profileSummary: ReturnType<typeof summariseProfile> | null;
  auditPerAuth: Map<string, number>;
}): string {
  const { opts } = r;
  const cpu = cpus();
  const row = (label: string, p: Phase, baseline: Phase | null) => [
    label,
    p.offered === null ? 'max' : formatRate(p.offered),
    formatRate(rateOf(p)),
    ms(percentile(p.latenciesMs, 50)),
    ms(percentile(p.latenciesMs, 99)),
    baseline
      ? `${(percentile(p.latenciesMs, 99) / percentile(baseline.latenciesMs, 99)).toFixed(2)}×`
      : '',
    String(p.errors),
  ];
  /** CPU ms per request of each process, over the phase. */
  const perRequest = (p: Phase) => {
    const per = (seconds: number) => (1000 * seconds) / Math.max(1, p.completed);
    const issuer = Number.isNaN(p.cpu.issuer) ? 0 : p.cpu.issuer;
    return {
      server: per(p.cpu.gateway),
      issuer: Number.isNaN(p.cpu.issuer) ? NaN : per(p.cpu.issuer),
      client: per(p.cpu.client),
      rest: per(p.cpu.machine - p.cpu.gateway - issuer - p.cpu.client),
      machine: per(p.cpu.machine),
    };
  };
  const cpuRow = (label: string, p: Phase) => {
    const c = perRequest(p);
    return [
      label,
      c.server.toFixed(2),
      Number.isNaN(c.issuer) ? '' : c.issuer.toFixed(2),
      c.client.toFixed(2),
      c.rest.toFixed(2),
      c.machine.toFixed(2),
      `${((100 * p.cpu.machine) / (p.seconds * cpu.length)).toFixed(0)}%`,
    ];
  };
  const rawP99 = percentile(r.rawFixed.latenciesMs, 99);
  const ratio = percentile(r.oursFixed.latenciesMs, 99) / rawP99;
  const p50Ratio = percentile(r.oursFixed.latenciesMs, 50) / percentile(r.rawFixed.latenciesMs, 50);
  // Each round of ours ran right after or before its raw round: their ratios pair like with like.
  const roundRatios = r.oursRoundP99sMs.map((p99, i) => p99 / r.rawRoundP99sMs[i]);
  const medianRoundRatio = percentile(roundRatios, 50);
  const spread = (p99s: number[]) => Math.max(...p99s) / Math.min(...p99s);
  const verdict =
    ratio <= 1.5 && medianRoundRatio <= 1.5
      ? 'met'
      : ratio > 1.5 && medianRoundRatio > 1.5
        ? 'not met'
        : 'inconclusive';
  const p99Target = `p99 at the fixed load ≤ 1.5× the raw p99 — ${verdict} (pooled ${ratio.toFixed(2)}×; per round ${roundRatios.map((x) => x.toFixed(2)).join(' / ')}, median ${medianRoundRatio.toFixed(2)}×; each round's p99 has ${r.roundSamples - Math.ceil(0.99 * r.roundSamples)} of its ${r.roundSamples} latencies above it, and between rounds it moved ${spread(r.rawRoundP99sMs).toFixed(1)}-fold for raw, ${spread(r.oursRoundP99sMs).toFixed(1)}-fold for ours). The p50 is ${p50Ratio.toFixed(2)}× the raw p50.`;
  const maxRate = rateOf(r.oursMax);
  const ours = perRequest(r.oursMax);
  const raw = perRequest(r.rawMax);
  const s = r.sim.report;
  const audit = [...r.auditPerAuth.entries()];
  const profile = r.profileSummary
    ? `

CPU profile of the gateway process over its whole life in this run, start-up included (\`node
--cpu-prof\`; the figures above were measured with the profiler on). The process was busy in
${r.profileSummary.busyShare} of the samples; shares below are of the busy ones.

${markdownTable(['function (self time)', 'share'], r.profileSummary.functions)}

${markdownTable(['package / file (self time)', 'share'], r.profileSummary.places)}

${markdownTable(['file of ours on the stack (inclusive)', 'share'], r.profileSummary.ours)}`
    : '';
  return `## Card-insert authorization (\`tools/bench/card-insert.bench.ts\`)

- date: ${new Date().toISOString().slice(0, 10)}
- machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} logical cores, ${platform()}/${arch()}; node ${process.version}; Postgres (fsync and synchronous_commit on) and Kafka 4.4 local (\`tools/infra\`)
- load average (1 / 5 / 15 min): ${r.loadAtStart} at the start, ${r.loadAfterSim} after terminal-sim, ${r.loadAtEnd} at the end
- ${opts.lanes} lanes = the ${DEMO_TERMINALS_PER_SCHEME} TDES + ${DEMO_TERMINALS_PER_SCHEME} AES demo terminals, one test card each; ${opts.seconds} s per timed phase

Reproduce: \`node tools/infra/infra.mjs up && eval "$(node tools/infra/infra.mjs env --export)" && SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/card-insert.bench.ts --rate ${opts.rate} --seconds ${opts.seconds} --sim-count ${opts.simCount}${opts.profile ? ' --profile' : ''}\`

**Ours** is \`Authorize\` (sale; \`Complete\` is not sent) through the all-in-one gateway
(\`apps/gateway\`, its own process, production mode on the demo estate's keys and terminals):
gRPC, request MAC verification and KSN check under DUKPT (TDES or AES-128), track 2 decryption,
PIN translation to the zone PIN key in the key store, ISO 8583 0100/0110 with field 55 over TCP
to the issuer simulator (\`apps/issuer-simulator\`, a third process: it verifies the ARQC and the
PIN and makes the ARPC), the payment's events appended on Postgres (\`PaymentInitiated\`
committed before the issuer call, so that a crash can be reversed, then the answer committed
before the terminal hears it), and the outbox relay publishing them to Kafka. The requests are
made beforehand by the terminal simulator's own \`Terminal\` (EMV to the ARQC, DUKPT encryption,
MAC) and sent as ready protobuf bytes (${r.requestBytes} bytes on average; answers ${r.responseBytes} bytes), so the
terminal's crypto is not in the timed path; KSNs rise per terminal and ATCs per card in each
lane's order.
**Raw** is a grpc-js unary echo server in its own process that, per request, does one \`pg\`
single-row INSERT (autocommit; pool of ${r.pgPool}) of an event-sized row (${r.payloadBytes}-byte
payload) into a table created \`LIKE es_events INCLUDING ALL\` and answers with a buffer of the
Authorize answer's size. Both are driven by the same client (raw bytes over one grpc-js channel)
with the same ${opts.lanes} lanes, one request in flight per lane. At a fixed offered load request
_j_ is due at _j / rate_ and its latency runs from its due time (queueing counts); the fixed load
runs in ${FIXED_ROUNDS} rounds of ${opts.seconds} s per side, raw and ours taking turns, and each side's rounds are
pooled (p99 per round: raw ${r.rawRoundP99sMs.map(ms).join(' / ')}, ours ${r.oursRoundP99sMs.map(ms).join(' / ')} ms). "max" sends each lane's next
request as soon as its answer arrived.

${markdownTable(
  ['case', 'offered /s', 'done /s', 'p50 ms', 'p99 ms', 'p99 ÷ raw p99', 'errors'],
  [
    row('raw: grpc echo + pg INSERT', r.rawFixed, null),
    row('ours: Authorize, full path', r.oursFixed, r.rawFixed),
    row('raw: grpc echo + pg INSERT', r.rawMax, null),
    row('ours: Authorize, full path', r.oursMax, r.rawMax),
  ],
)}

Targets (issue 7): ${p99Target} Rate ≥ 1,000 authorizations/s on ${cpu.length} cores — ${maxRate >= 1000 ? 'met' : 'not met'} (${formatRate(maxRate)}/s, ${(maxRate / rateOf(r.rawMax)).toFixed(2)}× the raw rate).

Answers (response code: count): at ${formatRate(opts.rate)}/s ${outcomes(r.oursFixed)}; at max ${outcomes(r.oursMax)}.
${r.events.toLocaleString('en-US')} events appended in the run. Outbox entries not yet published to Kafka (past the relay's
checkpoint) right at the end of the max phase: ${r.backlogAfterMax.toLocaleString('en-US')}.

CPU time per request (ms) of each process, from \`/proc\`, over the phase ("rest" is the
machine's busy time minus those: Postgres, Kafka and anything else running; "all" is the
machine's busy time per request, which bounds the rate at ${cpu.length} cores ÷ "all"):

${markdownTable(
  [
    'phase',
    'gateway / echo server',
    'issuer simulator',
    'bench client',
    'rest',
    'all',
    'machine busy',
  ],
  [
    cpuRow(`raw at ${formatRate(opts.rate)}/s`, r.rawFixed),
    cpuRow(`ours at ${formatRate(opts.rate)}/s`, r.oursFixed),
    cpuRow('raw at max', r.rawMax),
    cpuRow('ours at max', r.oursMax),
  ],
)}

**Where the time goes at max.** An authorization cost the machine ${ours.machine.toFixed(2)} ms of CPU in all
(the raw baseline ${raw.machine.toFixed(2)} ms): ${ours.server.toFixed(2)} ms in the gateway process, ${ours.issuer.toFixed(2)} ms in the issuer
simulator, ${ours.rest.toFixed(2)} ms in Postgres, Kafka and the rest. On ${cpu.length} cores that bounds the rate at
≈ ${formatRate((1000 * cpu.length) / ours.machine)}/s; 1,000/s needs ≤ ${((1000 * cpu.length) / 1000).toFixed(1)} ms per authorization for everything, the bench
client included. Postgres transactions committed per authorization: ${r.commitsPerAuth.toFixed(1)} (the appends are
group-committed, so concurrent authorizations share commits; the relay's and the reversal
worker's queries are spread over the authorizations). Key-store operations audited per
authorization (one record per key an operation used): ${audit.map(([t, n]) => `${t} ${n.toFixed(2)}`).join(', ') || 'none recorded'}.${profile}

### \`terminal-sim load\`

\`${r.sim.command}\` (each payment a whole sale: EMV flow with DDA, Authorize, second GENERATE AC,
Complete; the terminal's own EMV, RSA and DUKPT work is inside every figure, on the same cores as
the gateway):

${markdownTable(
  ['payments', 'lanes', 'throughput /s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'],
  [
    [
      String(s.count),
      String(s.concurrency),
      String(s.throughputPerSecond),
      String(s.latencyMs.p50),
      String(s.latencyMs.p95),
      String(s.latencyMs.p99),
      String(s.errors),
    ],
  ],
)}

Outcomes: ${Object.entries(s.outcomes)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}${s.errorSamples.length ? `; errors: ${s.errorSamples.join('; ')}` : ''}.`;
}

// Last, so that every constant above is initialised before either entry point runs.
if (process.argv.includes('--echo-server')) {
  echoServer().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
} else {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
