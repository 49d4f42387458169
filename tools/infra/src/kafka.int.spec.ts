// Integration tests against a REAL Kafka broker: the one named by
// KAFKA_BROKERS, or else the local broker that infra.mjs starts. Nothing is
// skipped: without Java (or a reachable KAFKA_BROKERS) these tests fail.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { EnvPatch, infraJson, isAlive, isolatedStateDir, runInfra, waitUntil } from './infra-cli';

jest.setTimeout(300_000);

interface BrokerState {
  pid: number;
  brokers: string;
  configFile: string;
  dataDir: string;
  version: string;
}

/** Creates a topic, produces one record (idempotent, acks=all), consumes it in a consumer group. */
async function roundTrip(brokers: string[], label: string): Promise<void> {
  const kafka = new Kafka({ clientId: `infra-test-${label}`, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const topic = `infra-test-${label}-${randomUUID()}`;
  const groupId = `infra-test-group-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId });
  const key = randomUUID();
  const value = JSON.stringify({ txn: key, amountMinor: 1250, currency: 'EUR' });
  try {
    await admin.connect();
    expect(
      await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true }),
    ).toBe(true);

    await producer.connect();
    const [meta] = await producer.send({
      topic,
      acks: -1,
      messages: [{ key, value, headers: { 'x-test': label } }],
    });
    expect(meta?.errorCode).toBe(0);

    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<{
      key: string;
      value: string;
      header: string;
      partition: number;
      offset: string;
    }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no record consumed within 60 s')), 60_000);
      consumer
        .run({
          eachMessage: async ({ message, partition }) => {
            if (message.key?.toString() !== key) return;
            clearTimeout(timer);
            resolve({
              key: message.key.toString(),
              value: message.value?.toString() ?? '',
              header: String(message.headers?.['x-test'] ?? ''),
              partition,
              offset: message.offset,
            });
          },
        })
        .catch(reject);
    });
    expect(received).toEqual({
      key,
      value,
      header: label,
      partition: meta?.partition,
      offset: meta?.baseOffset,
    });

    await consumer.disconnect(); // commits the group's offset
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = offsets[0]?.partitions.find(
      (p) => p.partition === received.partition,
    )?.offset;
    expect(committed).toBe(String(Number(received.offset) + 1));
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
}

describe('Kafka through the test broker', () => {
  let brokers: string[] = [];
  let stopAfter = false;

  beforeAll(async () => {
    if (process.env.KAFKA_BROKERS) {
      brokers = process.env.KAFKA_BROKERS.split(',');
      return;
    }
    // Nobody exported KAFKA_BROKERS: bring the local broker up ourselves, and
    // stop it afterwards only if it was not running before.
    const before = await infraJson<{ kafka: { state: string } }>(['status']).catch(() => ({
      kafka: { state: 'stopped' },
    }));
    stopAfter = before.kafka.state !== 'running';
    const env = await infraJson(['up', 'kafka']);
    brokers = env.KAFKA_BROKERS!.split(',');
  });

  afterAll(async () => {
    if (stopAfter) await runInfra(['down', 'kafka']);
  });

  it('produces (idempotent, acks=all) and consumes in a consumer group', async () => {
    expect(brokers.length).toBeGreaterThan(0);
    await roundTrip(brokers, 'roundtrip');
  });
});

describe('infra.mjs broker lifecycle (own state dir, own broker)', () => {
  const stateDir = isolatedStateDir('kafka');
  const env: EnvPatch = {
    TILLGATE_INFRA_STATE_DIR: stateDir,
    KAFKA_BROKERS: undefined,
    TILLGATE_KAFKA_PORT: undefined,
  };
  const stateFile = path.join(stateDir, 'kafka', 'state.json');
  const configFile = path.join(stateDir, 'kafka', 'server.properties');
  const readState = (): BrokerState =>
    JSON.parse(fs.readFileSync(stateFile, 'utf8')) as BrokerState;
  const up = () => infraJson(['up', 'kafka'], env);
  const strays: number[] = [];

  afterAll(async () => {
    for (const pid of strays) {
      try {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await runInfra(['down', 'kafka'], env).catch(() => undefined);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('up is idempotent: a second call reuses the same live broker, quickly', async () => {
    const first = await up();
    const pid = readState().pid;
    expect(isAlive(pid)).toBe(true);
    const second = await up();
    expect(second.KAFKA_BROKERS).toBe(first.KAFKA_BROKERS);
    expect(readState().pid).toBe(pid);
    expect(second.ms).toBeLessThan(15_000);
    await roundTrip(second.KAFKA_BROKERS!.split(','), 'idempotent');
  });

  it('recovers from a stale state file whose pid is dead', async () => {
    await runInfra(['down', 'kafka'], env);
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    expect(isAlive(dead)).toBe(false);
    fs.mkdirSync(path.dirname(stateFile), { recursive: true });
    fs.writeFileSync(
      stateFile,
      JSON.stringify({ pid: dead, brokers: '127.0.0.1:1', configFile, version: 'x' }),
    );
    const out = await up();
    const st = readState();
    expect(st.pid).not.toBe(dead);
    expect(isAlive(st.pid)).toBe(true);
    expect(out.KAFKA_BROKERS).toBe(st.brokers);
    await roundTrip([st.brokers], 'stale');
  });

  it('never kills a live process that is not its broker', async () => {
    await runInfra(['down', 'kafka'], env);
    const bystander = spawn('sleep', ['300'], { stdio: 'ignore' });
    strays.push(bystander.pid!);
    fs.writeFileSync(
      stateFile,
      JSON.stringify({ pid: bystander.pid, brokers: '127.0.0.1:1', configFile, version: 'x' }),
    );
    await up();
    expect(isAlive(bystander.pid!)).toBe(true);
    expect(readState().pid).not.toBe(bystander.pid);
    await runInfra(['down', 'kafka'], env);
    expect(isAlive(bystander.pid!)).toBe(true);
    bystander.kill('SIGKILL');
  });

  it('replaces its own broker when it is alive but unresponsive (SIGSTOP)', async () => {
    await up();
    const frozen = readState().pid;
    strays.push(frozen);
    process.kill(frozen, 'SIGSTOP');
    const out = await up();
    const st = readState();
    expect(st.pid).not.toBe(frozen);
    expect(await waitUntil(() => !isAlive(frozen), 15_000)).toBe(true);
    await roundTrip(out.KAFKA_BROKERS!.split(','), 'unfrozen');
  });

  it('replaces its own broker when it accepts connections but never answers', async () => {
    await runInfra(['down', 'kafka'], env);
    // A java "kafka.Kafka <our config>" that accepts TCP and says nothing: to
    // infra.mjs it is our broker (same command line), hung.
    const src = path.join(stateDir, 'Hang.java');
    fs.writeFileSync(
      src,
      `public class Hang { public static void main(String[] a) throws Exception {
         var s = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
         System.out.println(s.getLocalPort()); System.out.flush();
         var keep = new java.util.ArrayList<java.net.Socket>(); while (true) keep.add(s.accept()); } }`,
    );
    const hung = spawn('java', ['-Xmx32m', src, 'kafka.Kafka', configFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    strays.push(hung.pid!);
    const port = await new Promise<string>((resolve, reject) => {
      hung.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
      hung.once('exit', (code) => reject(new Error(`Hang.java exited ${code}`)));
    });
    fs.writeFileSync(
      stateFile,
      JSON.stringify({
        pid: hung.pid,
        brokers: `127.0.0.1:${port}`,
        configFile,
        clusterId: 'x',
        startedAt: '2020-01-01T00:00:00Z',
      }),
    );
    const out = await up();
    expect(await waitUntil(() => !isAlive(hung.pid!), 15_000)).toBe(true);
    expect(readState().pid).not.toBe(hung.pid);
    await roundTrip(out.KAFKA_BROKERS!.split(','), 'unhung');
  });

  it('an up killed while its broker starts leaves a broker that the next up adopts', async () => {
    await runInfra(['down', 'kafka'], env);
    const killed = spawn(
      process.execPath,
      [path.resolve(__dirname, '..', 'infra.mjs'), 'up', 'kafka', '--quiet'],
      {
        env: { ...process.env, TILLGATE_INFRA_STATE_DIR: stateDir, KAFKA_BROKERS: '' },
        stdio: 'ignore',
      },
    );
    // SIGKILL it as soon as the broker process exists, before it answers.
    expect(await waitUntil(() => fs.existsSync(stateFile), 60_000)).toBe(true);
    killed.kill('SIGKILL');
    const orphan = readState().pid;
    const out = await up();
    expect(readState().pid).toBe(orphan);
    await roundTrip(out.KAFKA_BROKERS!.split(','), 'adopted');
  });

  it('down stops only its broker and removes the state', async () => {
    const pid = readState().pid;
    await runInfra(['down', 'kafka'], env);
    expect(await waitUntil(() => !isAlive(pid), 15_000)).toBe(true);
    expect(fs.existsSync(stateFile)).toBe(false);
    const status = await infraJson<{ kafka: { state: string } }>(['status'], env);
    expect(status.kafka.state).toBe('stopped');
  });
});
