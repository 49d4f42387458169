export * from './protocol/mac-input';
export * from './acquiring';
export * from './domain/payment.events';
export * from './domain/payment.commands';
export * from './domain/payment.state';
export * from './domain/payment-refused';
export { paymentDecider } from './domain/payment.decider';
export * from './domain/batch.decider';
export * from './domain/merchant-fee';
export * from './domain/card-insert-event.codec';
export {
  CardInsertService,
  type CardInsertPorts,
  type CardInsertServiceOptions,
} from './application/card-insert.service';
export {
  ReversalWorker,
  reversalBackoffMs,
  type ReversalWorkerOptions,
} from './application/reversal.worker';
export { PaymentStreams } from './application/payment-streams';
export { paymentReceipt, batchReceipt, formatAmount } from './receipt/receipt';
export { cardInsertEntities, cardInsertMigrations } from './storage/card-insert.schema';
export { CardInsertController } from './grpc/card-insert.controller';
export { toGrpcError as cardInsertGrpcError } from './grpc/card-insert-errors.mapping';
export * from './card-insert.config';
export {
  CARD_INSERT_GRPC_PACKAGE,
  CardInsertModule,
  type CardInsertModuleOptions,
} from './card-insert.module';
export * from './start-card-insert';
export { toEventPanToken, fromEventPanToken } from './application/event-pan-token';
export {
  SqlKsnCounterRepository,
  type KsnCounterTransactions,
} from './storage/sql-ksn-counter.repository';
