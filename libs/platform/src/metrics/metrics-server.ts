import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metrics every gRPC service records, on one registry per process. */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly grpcRequests: Counter<'method' | 'code'>;
  readonly grpcDuration: Histogram<'method'>;

  constructor(defaultLabels: Record<string, string> = {}) {
    this.registry.setDefaultLabels(defaultLabels);
    collectDefaultMetrics({ register: this.registry });
    this.grpcRequests = new Counter({
      name: 'tillgate_grpc_requests_total',
      help: 'gRPC requests handled, by method and status code',
      labelNames: ['method', 'code'],
      registers: [this.registry],
    });
    this.grpcDuration = new Histogram({
      name: 'tillgate_grpc_request_duration_seconds',
      help: 'gRPC request handling time',
      labelNames: ['method'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }
}

/** Serves `GET /metrics` (Prometheus text format) on its own HTTP port. */
export async function startMetricsServer(
  registry: Registry,
  host: string,
  port: number,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      registry
        .metrics()
        .then((body) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(body);
        })
        .catch(() => {
          res.writeHead(500);
          res.end();
        });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found: try GET /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
