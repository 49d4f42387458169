import {
  Metadata,
  Server,
  ServerCredentials,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { cardInsertV1 } from '@tillgate/contracts';
import {
  CARD_INSERT_OPERATIONS,
  CardInsertGatewayDouble,
  GatewayDoubleRefusal,
  grpcMethodName,
  type GatewayDoubleOptions,
} from '@tillgate/terminal-sim';

/**
 * TEST DOUBLE of the gateway on a real grpc-js server on 127.0.0.1: the
 * terminal-sim CLI talks to it over gRPC exactly as to the gateway. A
 * refusal becomes a gRPC status with the offending field in the
 * `tillgate-field` trailer, as the card-insert API specifies.
 */
export async function startGatewayDouble(
  options: GatewayDoubleOptions,
): Promise<{ address: string; double: CardInsertGatewayDouble; close(): Promise<void> }> {
  const double = new CardInsertGatewayDouble(options);
  const server = new Server();
  const handlers: UntypedServiceImplementation = {};
  for (const operation of CARD_INSERT_OPERATIONS) {
    const handler = (call: ServerUnaryCall<never, unknown>, callback: sendUnaryData<unknown>) => {
      const method = double[operation] as (request: never) => Promise<unknown>;
      method.call(double, call.request).then(
        (response) => callback(null, response),
        (error: unknown) => {
          const metadata = new Metadata();
          if (error instanceof GatewayDoubleRefusal) {
            metadata.set('tillgate-field', error.field);
            metadata.set('tillgate-error-code', error.status.toLowerCase());
            callback({ code: status[error.status], details: error.message, metadata }, null);
          } else {
            callback({ code: status.INTERNAL, details: String(error), metadata }, null);
          }
        },
      );
    };
    handlers[grpcMethodName(operation)] = handler as UntypedServiceImplementation[string];
  }
  server.addService(cardInsertV1.CardInsertServiceService, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    double,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
