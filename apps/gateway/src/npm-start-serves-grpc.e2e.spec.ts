import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGrpcClient, gatewayV1 } from '@tillgate/contracts';

const root = join(__dirname, '..', '..', '..');

const children: ChildProcess[] = [];
afterEach(() => {
  // A failed expectation must not leave a gateway running behind the suite.
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function startLikeNpmStart(env: Record<string, string>): ChildProcess {
  // KAFKA_BROKERS is cleared: `npm test` exports it, `npm start` on a fresh machine has none.
  const child = spawn(process.execPath, ['tools/run/start.mjs'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', KAFKA_BROKERS: '', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

function collect(child: ChildProcess): { out: () => string; exit: Promise<number | null> } {
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  return { out: () => text, exit: new Promise((r) => child.on('exit', (code) => r(code))) };
}

function runTerminalSim(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['apps/terminal-sim/bin/terminal-sim.js', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const { out, exit } = collect(child);
  return exit.then((code) => ({ code, out: out() }));
}

describe('npm start (the embedded default)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tillgate-start-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves gRPC on SQLite, answers a generated client, and stops cleanly on SIGTERM', async () => {
    const child = startLikeNpmStart({
      TILLGATE_GRPC_PORT: '0',
      TILLGATE_METRICS_PORT: '0',
      DATABASE_URL: `sqlite:${join(dir, 'tillgate.sqlite')}`,
      TILLGATE_DATA_DIR: join(dir, 'data'),
    });
    const { out, exit } = collect(child);
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner in 30 s:\n${out()}`)), 30_000);
      child.stdout!.on('data', () => {
        const m = /serving gRPC on (\S+)/.exec(out());
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    const client = createGrpcClient(gatewayV1.GatewayServiceService, address);
    const info = await client.getServerInfo({});
    client.close();
    expect(info.storage).toBe('sqlite');
    expect(info.eventPublishing).toBe(false);
    expect(info.enabledTenders).toEqual([gatewayV1.Tender.TENDER_CARD_INSERT]);

    // The README's demo: the terminal simulator approves a sale against the
    // embedded default (demo keys, in-process issuer simulator).
    const sale = await runTerminalSim([
      'sale',
      '--amount',
      '12.50',
      '--gateway',
      address,
      '--state',
      join(dir, 'terminal.json'),
    ]);
    expect(sale.code).toBe(0);
    expect(sale.out).toMatch(/APPROVED\s+payment [0-9a-f-]{36}/);
    expect(sale.out).toMatch(/476173\*{6}\d{4}/);

    child.kill('SIGTERM');
    await expect(exit).resolves.toBe(0);
  }, 90_000);

  it('refuses a bad variable at start-up naming it, with exit code 2 and no stack trace', async () => {
    const child = startLikeNpmStart({ TILLGATE_GRPC_PORT: 'seventy', KAFKA_BROKERS: 'nohostport' });
    const { out, exit } = collect(child);
    await expect(exit).resolves.toBe(2);
    expect(out()).toMatch(/TILLGATE_GRPC_PORT: .*\(got "seventy"\)/);
    expect(out()).toMatch(/KAFKA_BROKERS: expected a comma-separated list of host:port/);
    expect(out()).not.toMatch(/\n\s+at /);
  }, 30_000);
});
