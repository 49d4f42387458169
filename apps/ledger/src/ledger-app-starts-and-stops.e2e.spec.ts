import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createGrpcClient, ledgerV1 } from '@tillgate/contracts';

const root = join(__dirname, '..', '..', '..');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/ledger/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      SWC_NODE_PROJECT: 'tsconfig.base.json',
      LOG_LEVEL: 'warn',
      LEDGER_JOURNAL: '',
      LEDGER_KAFKA_BROKERS: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  return {
    child,
    out: () => text,
    exit: new Promise<number | null>((r) => child.on('exit', (code) => r(code))),
  };
}

describe('apps/ledger', () => {
  it('refuses to start without a journal, naming the variable', async () => {
    const { exit, out } = run({});
    expect(await exit).toBe(2);
    expect(out()).toContain('LEDGER_JOURNAL');
  }, 30_000);

  it('refuses to post payment events from Kafka on the in-memory journal, naming the variable', async () => {
    const { exit, out } = run({ LEDGER_JOURNAL: 'memory', LEDGER_KAFKA_BROKERS: '127.0.0.1:9092' });
    expect(await exit).toBe(2);
    expect(out()).toContain('LEDGER_KAFKA_BROKERS: posting payment events needs');
  }, 30_000);

  it('serves LedgerService and stops cleanly on SIGTERM', async () => {
    const { child, exit, out } = run({ LEDGER_JOURNAL: 'memory', TILLGATE_GRPC_PORT: '0' });
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const match = /serving gRPC on (\S+)/.exec(out());
        if (match) {
          clearInterval(timer);
          resolve(match[1]);
        } else if (child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(out()));
        }
      }, 50);
    });
    const client = createGrpcClient(ledgerV1.LedgerServiceService, address);
    const { results } = await client.createAccounts({
      accounts: [
        {
          id: 'a',
          type: ledgerV1.AccountType.ACCOUNT_TYPE_SUSPENSE,
          currency: 'EUR',
          debitsMustNotExceedCredits: false,
          creditsMustNotExceedDebits: false,
          reference: '',
        },
      ],
    });
    client.close();
    expect(results).toEqual([ledgerV1.CreateAccountResult.CREATE_ACCOUNT_RESULT_OK]);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 30_000);
});
