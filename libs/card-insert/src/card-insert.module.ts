import {
  DynamicModule,
  Inject,
  Injectable,
  Module,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GrpcExceptionFilter, type Logger } from '@tillgate/platform';
import { CardInsertService } from './application/card-insert.service';
import { ReversalWorker } from './application/reversal.worker';
import { CardInsertController } from './grpc/card-insert.controller';
import { CARD_INSERT_LOGGER } from './grpc/card-insert.access-log';

export const CARD_INSERT_GRPC_PACKAGE = {
  package: 'tillgate.card_insert.v1',
  proto: 'tillgate/card_insert/v1/card_insert.proto',
  services: ['CardInsertService'],
};

export interface CardInsertModuleOptions {
  service: CardInsertService;
  /** Started when the application is up (resumes the queue, recovers in-flight payments), stopped on close. */
  worker?: ReversalWorker;
  /** Where the access log goes: one line per RPC, identifiers and outcome only. */
  logger?: Logger;
}

const CARD_INSERT_OPTIONS = Symbol('CARD_INSERT_OPTIONS');

@Injectable()
class ReversalWorkerLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(@Inject(CARD_INSERT_OPTIONS) private readonly options: CardInsertModuleOptions) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.options.worker?.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.options.worker?.stop();
  }
}

/**
 * The card-insert gRPC service. Built from a ready CardInsertService (and
 * its ReversalWorker) so the host decides the adapters and the database:
 * apps/card-insert through `startCardInsert`, apps/gateway beside the
 * other modules.
 */
@Module({})
export class CardInsertModule {
  static forRoot(options: CardInsertModuleOptions): DynamicModule {
    return {
      module: CardInsertModule,
      controllers: [CardInsertController],
      providers: [
        { provide: CARD_INSERT_OPTIONS, useValue: options },
        { provide: CardInsertService, useValue: options.service },
        { provide: CARD_INSERT_LOGGER, useValue: options.logger },
        { provide: APP_FILTER, useClass: GrpcExceptionFilter },
        ReversalWorkerLifecycle,
      ],
      exports: [CardInsertService],
    };
  }
}
