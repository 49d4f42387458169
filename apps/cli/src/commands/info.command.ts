import { Command } from 'commander';
import { createGrpcClient, gatewayV1, healthV1 } from '@tillgate/contracts';

export function infoCommand(): Command {
  return new Command('info')
    .description('ask a running gateway what it is (GetServerInfo) and whether it is healthy')
    .option('--address <host:port>', 'gateway gRPC address', '127.0.0.1:50051')
    .option('--json', 'print JSON')
    .action(async (opts: { address: string; json?: boolean }) => {
      const gateway = createGrpcClient(gatewayV1.GatewayServiceService, opts.address);
      const health = createGrpcClient(healthV1.HealthService, opts.address);
      try {
        const info = await gateway.getServerInfo({});
        const { status } = await health.check({ service: '' });
        const out = {
          address: opts.address,
          version: info.version,
          health: healthV1.HealthCheckResponse_ServingStatus[status],
          storage: info.storage,
          eventPublishing: info.eventPublishing,
          enabledTenders: info.enabledTenders.map((t) => gatewayV1.Tender[t]),
          uptimeSeconds: Number(info.uptimeSeconds),
        };
        if (opts.json) process.stdout.write(`${JSON.stringify(out)}\n`);
        else
          for (const [k, v] of Object.entries(out))
            process.stdout.write(
              `${k.padEnd(16)} ${Array.isArray(v) ? v.join(', ') || '(none yet)' : v}\n`,
            );
      } finally {
        gateway.close();
        health.close();
      }
    });
}
