import {
  DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GrpcExceptionFilter } from '@tillgate/platform';
import { LedgerBooks } from './books/ledger-books';
import type { LedgerJournal } from './books/ledger-journal.port';
import { LedgerController } from './grpc/ledger.controller';

export const LEDGER_GRPC_PACKAGE = {
  package: 'tillgate.ledger.v1',
  proto: 'tillgate/ledger/v1/ledger.proto',
  services: ['LedgerService'],
};

export interface LedgerModuleOptions {
  journal: LedgerJournal;
  clock?: () => number;
  /** Interval of the reservation expiry sweep; 0 = off. */
  expirySweepMs: number;
}

const LEDGER_OPTIONS = Symbol('LEDGER_OPTIONS');

/** Expires due reservations on a timer, so their amounts are released even when no transfer arrives. */
@Injectable()
class PendingExpirySweeper implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private readonly logger = new Logger('ledger');
  constructor(
    @Inject(LedgerBooks) private readonly books: LedgerBooks,
    @Inject(LEDGER_OPTIONS) private readonly options: LedgerModuleOptions,
  ) {}

  onModuleInit(): void {
    if (this.options.expirySweepMs <= 0) return;
    // A failed sweep (e.g. a lost append race) records nothing and is retried by the next tick.
    const sweep = () =>
      this.books
        .expirePending()
        .catch((err: unknown) =>
          this.logger.warn(
            `expiry sweep failed, retrying next tick: ${err instanceof Error ? err.message : String(err)}`,
          ),
        );
    this.timer = setInterval(() => void sweep(), this.options.expirySweepMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }
}

@Module({})
export class LedgerModule {
  static forRoot(options: LedgerModuleOptions): DynamicModule {
    return {
      module: LedgerModule,
      controllers: [LedgerController],
      providers: [
        { provide: LEDGER_OPTIONS, useValue: options },
        {
          provide: LedgerBooks,
          // Replay the journal before the first request: balances and history are rebuilt from events.
          useFactory: async () => {
            const books = new LedgerBooks(options.journal, { clock: options.clock });
            await books.catchUp();
            return books;
          },
        },
        { provide: APP_FILTER, useClass: GrpcExceptionFilter },
        PendingExpirySweeper,
      ],
      exports: [LedgerBooks],
    };
  }
}
