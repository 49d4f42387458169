import type { JournalEntry } from '@tillgate/issuer-simulator';
import { CURRENCY, ZONE_PIN_KEYS, type AcquirerEstate } from './acquirer-estate';
import { ServiceProcess } from './service-process';

/** A fault rule of the simulator's control channel (libs/issuer-simulator/README.md). */
export interface FaultRule {
  readonly match?: { readonly mti?: string; readonly stan?: string; readonly terminalId?: string };
  readonly action:
    | { readonly kind: 'delay'; readonly ms: number }
    | { readonly kind: 'no-answer' }
    | { readonly kind: 'drop-response' }
    | { readonly kind: 'disconnect'; readonly afterProcessing?: boolean }
    | { readonly kind: 'respond'; readonly responseCode: string };
  readonly times?: number | 'always';
}

/** A rule in force, as the control channel shows it. */
export interface ActiveFaultRule {
  readonly id: number;
  readonly match: NonNullable<FaultRule['match']>;
  readonly action: FaultRule['action'];
  /** Matching requests it still applies to. */
  readonly remaining: number | 'always';
}

export interface SimulatedCardState {
  readonly maskedPan: string;
  readonly available: number;
}

/**
 * The issuer simulator (apps/issuer-simulator) as a separate process, and
 * a client of its HTTP control channel: fault rules, journal, cards.
 */
export class IssuerSimulatorProcess {
  private constructor(
    readonly process: ServiceProcess,
    /** host:port of the ISO 8583 listener. */
    readonly address: string,
    readonly controlUrl: string,
  ) {}

  static async start(
    estate: AcquirerEstate,
    env: Record<string, string> = {},
  ): Promise<IssuerSimulatorProcess> {
    const process = ServiceProcess.start('issuer-simulator', 'apps/issuer-simulator/src/main.ts', {
      ISSUER_SIM_PORT: '0',
      ISSUER_SIM_CONTROL_PORT: '0',
      ISSUER_SIM_ZONE_PIN_KEY: ZONE_PIN_KEYS.tdes.hex,
      ISSUER_SIM_AES_ZONE_PIN_KEY: ZONE_PIN_KEYS.aes.hex,
      ISSUER_SIM_CURRENCY: CURRENCY.numeric,
      ISSUER_SIM_CARD_SEEDS: estate.cardSeeds.join(','),
      ISSUER_SIM_CARDS_DIR: estate.cardsDir,
      LOG_LEVEL: 'warn',
      ...env,
    });
    const [address = '', controlUrl = ''] = await process.waitFor(
      /ISO 8583 on (\S+) .*control channel on (\S+)/,
    );
    return new IssuerSimulatorProcess(process, address, controlUrl);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.controlUrl}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  addFault(rule: FaultRule): Promise<ActiveFaultRule> {
    return this.call('POST', '/faults', rule);
  }

  faults(): Promise<ActiveFaultRule[]> {
    return this.call('GET', '/faults');
  }

  clearFaults(): Promise<{ removed: number }> {
    return this.call('DELETE', '/faults');
  }

  journal(): Promise<JournalEntry[]> {
    return this.call('GET', '/journal');
  }

  cards(): Promise<SimulatedCardState[]> {
    return this.call('GET', '/cards');
  }

  close(): Promise<void> {
    return this.process.stop();
  }
}

/**
 * How many requests a fault rule added with a numeric `times` has matched
 * since: the control channel shows what is left of it (a used-up rule is
 * gone). With a harmless action (`delay` 0) such a rule counts the requests
 * that reach the issuer without changing them.
 */
export function countIssuerRequests(
  rulesInForce: readonly ActiveFaultRule[],
  added: ActiveFaultRule,
): number {
  if (typeof added.remaining !== 'number') throw new Error('a counting rule needs a numeric times');
  const now = rulesInForce.find((r) => r.id === added.id);
  return added.remaining - (now ? (now.remaining as number) : 0);
}
