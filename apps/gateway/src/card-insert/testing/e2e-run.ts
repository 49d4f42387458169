import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JournalEntry } from '@tillgate/issuer-simulator';
import { provisionEstate, type AcquirerEstate } from './acquirer-estate';
import { E2eDatabase } from './e2e-database';
import { GatewayProcess } from './gateway.process';
import { IssuerSimulatorProcess } from './issuer-simulator.process';
import { KafkaTap } from './kafka-tap';
import { TerminalFleet } from './terminals';

/**
 * Everything one e2e file runs against, all real: Postgres (a database of
 * its own), Kafka (a tap on the gateway's topics), the issuer simulator and
 * the gateway as separate processes, and the POS terminals.
 */
export interface E2eRun {
  readonly estate: AcquirerEstate;
  readonly database: E2eDatabase;
  readonly issuer: IssuerSimulatorProcess;
  readonly kafka: KafkaTap;
  readonly terminals: TerminalFleet;
  /** The gateway now running. */
  gateway(): GatewayProcess;
  /** Every gateway started so far (a restart adds one); their logs are the run's logs. */
  readonly gateways: readonly GatewayProcess[];
  /** kill -9 of the running gateway. */
  killGateway(): Promise<void>;
  /** A new gateway process on the same database, keys and issuer; the terminals follow it. */
  restartGateway(): Promise<GatewayProcess>;
  close(): Promise<void>;
}

export async function startE2eRun(
  label: string,
  options: { issuerEnv?: Record<string, string>; gatewayEnv?: Record<string, string> } = {},
): Promise<E2eRun> {
  const dir = mkdtempSync(join(tmpdir(), `tillgate-e2e-${label}-`));
  const closers: (() => Promise<unknown>)[] = [
    async () => rmSync(dir, { recursive: true, force: true }),
  ];
  const close = async () => {
    for (const closeOne of closers.splice(0).reverse()) await closeOne().catch(() => undefined);
  };
  try {
    const estate = await provisionEstate(dir);
    const database = await E2eDatabase.create(label);
    closers.push(() => database.drop());
    const issuer = await IssuerSimulatorProcess.start(estate, options.issuerEnv);
    closers.push(() => issuer.process.kill());
    const kafka = await KafkaTap.open();
    closers.push(() => kafka.close());
    const gateways: GatewayProcess[] = [];
    const startGateway = async () => {
      const gateway = await GatewayProcess.start({
        estate,
        databaseUrl: database.url,
        issuerAddress: issuer.address,
        env: options.gatewayEnv,
      });
      gateways.push(gateway);
      closers.push(() => gateway.kill());
      return gateway;
    };
    const first = await startGateway();
    const terminals = new TerminalFleet(first.grpcAddress);
    closers.push(async () => terminals.close());
    let latest = first;
    const current = () => latest;
    return {
      estate,
      database,
      issuer,
      kafka,
      terminals,
      gateways,
      gateway: current,
      killGateway: () => current().kill(),
      async restartGateway() {
        const next = await startGateway();
        latest = next;
        terminals.pointAt(next.grpcAddress);
        return next;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The journal entries of one terminal's requests at the issuer. */
export function journalOf(
  entries: readonly JournalEntry[],
  terminalId: string,
  kind: JournalEntry['kind'],
): JournalEntry[] {
  return entries.filter((e) => e.terminalId === terminalId && e.kind === kind);
}

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. */
export async function eventually(
  what: string,
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
