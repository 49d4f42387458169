import { runService } from '@tillgate/platform';
import { loadLedgerConfig, startLedger } from '@tillgate/ledger';

runService({
  name: 'ledger',
  loadConfig: loadLedgerConfig,
  start: (config, logger) => startLedger(config, { logger }),
  banner: (ledger) => [`Tillgate ledger is serving gRPC on ${ledger.grpcAddress}`],
});
