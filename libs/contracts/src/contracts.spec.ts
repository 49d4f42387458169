import { existsSync } from 'node:fs';
import { loadSync } from '@grpc/proto-loader';
import { gatewayV1, healthV1 } from './generated';
import { PROTO_LOADER_OPTIONS, protoPath } from './proto-files';

describe('generated contracts', () => {
  it('round-trips a message through the generated binary codec', () => {
    const message: gatewayV1.GetServerInfoResponse = {
      version: '1.2.3',
      enabledTenders: [gatewayV1.Tender.TENDER_CARD_INSERT, gatewayV1.Tender.TENDER_QR],
      storage: 'postgres',
      eventPublishing: true,
      uptimeSeconds: '18446744073709551615', // uint64 max survives as a string
    };
    const bytes = gatewayV1.GetServerInfoResponse.encode(message).finish();
    expect(gatewayV1.GetServerInfoResponse.decode(bytes)).toEqual(message);
  });

  it('decodes what the runtime proto loader (used by NestJS) encodes, field for field', () => {
    const definition = loadSync(
      protoPath('tillgate/gateway/v1/gateway.proto'),
      PROTO_LOADER_OPTIONS,
    );
    const method = definition['tillgate.gateway.v1.GatewayService'] as unknown as Record<
      string,
      { responseSerialize(v: unknown): Buffer }
    >;
    const wire = method.GetServerInfo.responseSerialize({
      version: '0.1.0',
      enabledTenders: [3],
      storage: 'sqlite',
      eventPublishing: false,
      uptimeSeconds: '7',
    });
    expect(gatewayV1.GetServerInfoResponse.decode(wire)).toEqual({
      version: '0.1.0',
      enabledTenders: [gatewayV1.Tender.TENDER_FACE],
      storage: 'sqlite',
      eventPublishing: false,
      uptimeSeconds: '7',
    });
  });

  it('keeps the standard gRPC health service path that probes call', () => {
    expect(healthV1.HealthService.check.path).toBe('/grpc.health.v1.Health/Check');
    expect(healthV1.HealthService.watch.responseStream).toBe(true);
    expect(existsSync(protoPath('grpc/health/v1/health.proto'))).toBe(true);
  });
});
