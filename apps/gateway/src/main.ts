import { runService, tillgateVersion } from '@tillgate/platform';
import { loadGatewayConfig, startGateway } from '@tillgate/gateway';

const version = tillgateVersion();

runService({
  name: 'gateway',
  loadConfig: loadGatewayConfig,
  start: (config, logger) => startGateway(config, { version, logger }),
  banner: (gateway) => [
    `Tillgate ${version} is serving gRPC on ${gateway.grpcAddress} (metrics: ${gateway.metricsUrl})`,
    `Try it:  npx tillgate info --address ${gateway.grpcAddress}`,
    `   or:   grpcurl -plaintext ${gateway.grpcAddress} tillgate.gateway.v1.GatewayService/GetServerInfo`,
  ],
});
