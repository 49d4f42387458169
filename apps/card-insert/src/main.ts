import { loadCardInsertConfig, startCardInsert } from '@tillgate/card-insert';
import { runService } from '@tillgate/platform';

runService({
  name: 'card-insert',
  loadConfig: loadCardInsertConfig,
  start: (config, logger) => startCardInsert(config, { logger }),
  banner: (service) => [`Tillgate card-insert is serving gRPC on ${service.grpcAddress}`],
});
