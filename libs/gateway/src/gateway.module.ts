import { DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GrpcExceptionFilter } from '@tillgate/platform';
import { GATEWAY_OPTIONS, GatewayOptions } from './gateway.options';
import { HealthController } from './health/health.controller';
import { HealthRegistry } from './health/health.registry';
import { ServerInfoController } from './server-info/server-info.controller';

/** The gRPC packages the gateway serves and the proto files that define them. */
export const GATEWAY_GRPC_PACKAGES = [
  { package: 'grpc.health.v1', proto: 'grpc/health/v1/health.proto', services: ['Health'] },
  {
    package: 'tillgate.gateway.v1',
    proto: 'tillgate/gateway/v1/gateway.proto',
    services: ['GatewayService'],
  },
];

/**
 * The all-in-one gateway: health and server info, plus the tender modules
 * the host passes in (built from their services, see start-gateway.ts).
 */
@Module({})
export class GatewayModule {
  static forRoot(
    options: GatewayOptions,
    tenders: readonly (DynamicModule | Type)[] = [],
  ): DynamicModule {
    return {
      module: GatewayModule,
      imports: [...tenders],
      controllers: [HealthController, ServerInfoController],
      providers: [
        { provide: GATEWAY_OPTIONS, useValue: options },
        { provide: APP_FILTER, useClass: GrpcExceptionFilter },
        HealthRegistry,
      ],
      exports: [HealthRegistry],
    };
  }
}
