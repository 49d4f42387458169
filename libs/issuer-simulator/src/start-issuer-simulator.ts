import { describeConfig, type Logger } from '@tillgate/platform';
import type { CardAccount } from './cards/card-account';
import { cardAccountFromSeed, loadCardAccountDirectory } from './cards/card-account.loader';
import { ControlServer } from './control/control.server';
import { IssuerHost } from './host/issuer-host';
import { SimulatedIssuer } from './issuer/simulated-issuer';
import {
  issuerSimulatorConfigDefinition,
  tlsFromConfig,
  type IssuerSimulatorConfig,
} from './issuer-simulator.config';

export interface RunningIssuerSimulator {
  readonly issuer: SimulatedIssuer;
  readonly host: IssuerHost;
  readonly control: ControlServer;
  close(): Promise<void>;
}

/** Builds the card database from the config, then starts the ISO 8583 listener and the control channel. */
export async function startIssuerSimulator(
  config: IssuerSimulatorConfig,
  { logger }: { readonly logger: Logger },
): Promise<RunningIssuerSimulator> {
  logger.info({ config: describeConfig(issuerSimulatorConfigDefinition, config) }, 'starting');
  const defaults = {
    balance: config.ISSUER_SIM_OPENING_BALANCE,
    currency: config.ISSUER_SIM_CURRENCY,
  };
  const cards: CardAccount[] = [
    ...config.ISSUER_SIM_CARD_SEEDS.map((seed) => cardAccountFromSeed(seed, defaults)),
    ...(config.ISSUER_SIM_CARDS_DIR
      ? loadCardAccountDirectory(config.ISSUER_SIM_CARDS_DIR, defaults)
      : []),
  ];
  const issuer = new SimulatedIssuer({
    cards,
    zonePinKey: config.ISSUER_SIM_ZONE_PIN_KEY,
    pinBlockFormat: config.ISSUER_SIM_PIN_BLOCK_FORMAT,
    aesZonePinKey: config.ISSUER_SIM_AES_ZONE_PIN_KEY,
    journalFile: config.ISSUER_SIM_JOURNAL_FILE,
    journalFlushIntervalMs: config.ISSUER_SIM_JOURNAL_FLUSH_MS,
    logger,
  });
  const host = await IssuerHost.start({
    issuer,
    host: config.ISSUER_SIM_HOST,
    port: config.ISSUER_SIM_PORT,
    tls: tlsFromConfig(config),
    logger,
  });
  const control = await ControlServer.start({
    host,
    issuer,
    port: config.ISSUER_SIM_CONTROL_PORT,
  }).catch(async (error: unknown) => {
    await host.close();
    throw error;
  });
  logger.info({ cards: issuer.cards.list() }, 'card database');
  return {
    issuer,
    host,
    control,
    async close() {
      try {
        await control.close();
        await host.close();
      } finally {
        issuer.close(); // writes the journal entries still batched
      }
    },
  };
}
