import { runService } from '@tillgate/platform';
import { loadIssuerSimulatorConfig, startIssuerSimulator } from '@tillgate/issuer-simulator';

runService({
  name: 'issuer-simulator',
  loadConfig: loadIssuerSimulatorConfig,
  start: (config, logger) => startIssuerSimulator(config, { logger }),
  banner: (simulator) => [
    `Issuer simulator: ISO 8583 on ${simulator.host.address} (${simulator.issuer.cards.size} cards), control channel on ${simulator.control.url}`,
    `Try it:  curl ${simulator.control.url}/cards`,
  ],
});
