import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, ServiceError, status } from '@grpc/grpc-js';
import { createGrpcClient, gatewayV1, healthV1 } from '@tillgate/contracts';
import { createLogger } from '@tillgate/platform';
import { loadGatewayConfig } from './gateway.config';
import { RunningGateway, startGateway } from './start-gateway';

describe('the all-in-one gateway over real gRPC', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tillgate-gw-'));
  let gateway: RunningGateway;
  let now = 1_700_000_000_000;

  beforeAll(async () => {
    const config = loadGatewayConfig({
      TILLGATE_GRPC_PORT: '0',
      TILLGATE_METRICS_PORT: '0',
      DATABASE_URL: `sqlite:${join(dir, 'gw.sqlite')}`,
      TILLGATE_DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'silent',
    });
    gateway = await startGateway(config, {
      version: '9.8.7',
      logger: createLogger({ level: 'silent' }),
      clock: () => now,
    });
  });

  afterAll(async () => {
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers GetServerInfo from a generated client', async () => {
    const client = createGrpcClient(gatewayV1.GatewayServiceService, gateway.grpcAddress);
    now += 42_000;
    const info = await client.getServerInfo({});
    client.close();
    expect(info).toEqual({
      version: '9.8.7',
      enabledTenders: [gatewayV1.Tender.TENDER_CARD_INSERT],
      storage: 'sqlite',
      eventPublishing: false,
      uptimeSeconds: '42',
    });
  });

  it('reports SERVING on grpc.health.v1 for the server and each service', async () => {
    const health = createGrpcClient(healthV1.HealthService, gateway.grpcAddress);
    const { SERVING } = healthV1.HealthCheckResponse_ServingStatus;
    await expect(health.check({ service: '' })).resolves.toEqual({ status: SERVING });
    await expect(health.check({ service: 'tillgate.gateway.v1.GatewayService' })).resolves.toEqual({
      status: SERVING,
    });
    await expect(
      health.check({ service: 'tillgate.card_insert.v1.CardInsertService' }),
    ).resolves.toEqual({ status: SERVING });
    health.close();
  });

  it('answers NOT_FOUND with the field named for an unknown service, without a stack trace', async () => {
    const health = createGrpcClient(healthV1.HealthService, gateway.grpcAddress);
    const err: ServiceError = await health.check({ service: 'no.such.Service' }).catch((e) => e);
    health.close();
    expect(err.code).toBe(status.NOT_FOUND);
    expect(err.details).toBe('service: unknown service');
    expect(err.metadata.get('tillgate-field')).toEqual(['service']);
    expect(err.details).not.toMatch(/\bat\b.*\.ts/);
  });

  it('streams the current status on Watch', async () => {
    const health = createGrpcClient(healthV1.HealthService, gateway.grpcAddress);
    const first = await new Promise<healthV1.HealthCheckResponse>((resolve, reject) => {
      const call = health.raw.makeServerStreamRequest(
        healthV1.HealthService.watch.path,
        healthV1.HealthService.watch.requestSerialize,
        healthV1.HealthService.watch.responseDeserialize,
        { service: '' },
        new Metadata(),
        {},
      );
      call.on('data', (msg: healthV1.HealthCheckResponse) => {
        resolve(msg);
        call.cancel();
      });
      call.on('error', (e: ServiceError) => e.code !== status.CANCELLED && reject(e));
    });
    health.close();
    expect(first.status).toBe(healthV1.HealthCheckResponse_ServingStatus.SERVING);
  });

  it('lists its services through gRPC server reflection', async () => {
    const services = await listServicesByReflection(gateway.grpcAddress);
    expect(services).toEqual(
      expect.arrayContaining(['grpc.health.v1.Health', 'tillgate.gateway.v1.GatewayService']),
    );
  });

  it('exposes request metrics on GET /metrics', async () => {
    const body = await (await fetch(gateway.metricsUrl)).text();
    expect(body).toMatch(
      /tillgate_grpc_requests_total\{method="ServerInfoController.getServerInfo",code="OK"/,
    );
    expect(body).toMatch(
      /tillgate_grpc_requests_total\{method="HealthController.check",code="NOT_FOUND"/,
    );
  });
});

/** A minimal grpc.reflection.v1alpha client, as grpcurl uses it: list_services. */
async function listServicesByReflection(address: string): Promise<string[]> {
  const protoLoader = await import('@grpc/proto-loader');
  const grpc = await import('@grpc/grpc-js');
  const reflectionProto =
    require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1alpha/reflection.proto');
  const def = protoLoader.loadSync(reflectionProto, { keepCase: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    grpc: { reflection: { v1alpha: { ServerReflection: new (a: string, c: unknown) => any } } };
  };
  const client = new pkg.grpc.reflection.v1alpha.ServerReflection(
    address,
    grpc.credentials.createInsecure(),
  );
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo();
    call.on('data', (res: { list_services_response?: { service: { name: string }[] } }) => {
      resolve((res.list_services_response?.service ?? []).map((s) => s.name));
      call.end();
      client.close();
    });
    call.on('error', reject);
    call.write({ list_services: '' });
  });
}
