import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { HostLink } from '@tillgate/host-link';
import { createLogger } from '@tillgate/platform';

const root = join(__dirname, '..', '..', '..');

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function start(env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', 'apps/issuer-simulator/src/main.ts'],
    {
      cwd: root,
      env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  /** Resolves with the banner's parts once it is printed; rejects if the process exits first. */
  const banner = () =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = /ISO 8583 on (\S+):(\d+) \((\d+) cards\), control channel on (\S+)/.exec(text);
        if (m) resolve(m);
      };
      child.stdout!.on('data', check);
      void exit.then(() => reject(new Error(`exited before the banner:\n${text}`)));
    });
  return { child, exit, banner, out: () => text };
}

describe('apps/issuer-simulator', () => {
  it('boots from the environment, answers an echo over ISO 8583 and serves its control channel', async () => {
    const sim = start({
      ISSUER_SIM_PORT: '0',
      ISSUER_SIM_CONTROL_PORT: '0',
      ISSUER_SIM_ZONE_PIN_KEY: '0123456789ABCDEFFEDCBA9876543210',
      ISSUER_SIM_CARD_SEEDS: 'app-e2e-card',
    });
    const [, host, port, cards, controlUrl] = await sim.banner();
    expect(cards).toBe('1');

    const link = new HostLink({
      host,
      port: Number(port),
      keepAlive: false,
      logger: createLogger({ level: 'silent' }),
    });
    link.start();
    await link.waitUntilReady(5_000);
    expect((await link.echo()).fields[39]).toBe('00');
    await link.close();

    const summaries = (await (await fetch(`${controlUrl}/cards`)).json()) as {
      maskedPan: string;
    }[];
    expect(summaries).toHaveLength(1);
    expect(summaries[0].maskedPan).toMatch(/^\d{6}\*{6}\d{4}$/);

    sim.child.kill('SIGTERM');
    expect(await sim.exit).toBe(0);
  }, 30_000);

  it('refuses to start without a zone PIN key: one problem per line, exit code 2', async () => {
    const sim = start({ ISSUER_SIM_ZONE_PIN_KEY: '' });
    expect(await sim.exit).toBe(2);
    expect(sim.out()).toMatch(/ISSUER_SIM_ZONE_PIN_KEY: Required/);
  }, 30_000);
});
