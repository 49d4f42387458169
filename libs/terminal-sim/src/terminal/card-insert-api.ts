import { cardInsertV1 } from '@tillgate/contracts';
import type {
  CardInsertOperation,
  CardInsertRequests,
  CardInsertResponses,
} from '@tillgate/card-insert';

/** The gateway's CardInsertService as the terminal calls it (what `createGrpcClient` returns). */
export type CardInsertApi = {
  [K in CardInsertOperation]: (request: CardInsertRequests[K]) => Promise<CardInsertResponses[K]>;
};

/** Protobuf codecs per operation, to store a request and send it again unchanged. */
export const REQUEST_CODECS: {
  [K in CardInsertOperation]: cardInsertV1.MessageFns<CardInsertRequests[K]>;
} = {
  Authorize: cardInsertV1.AuthorizeRequest,
  Complete: cardInsertV1.CompleteRequest,
  Capture: cardInsertV1.CaptureRequest,
  Void: cardInsertV1.VoidRequest,
  Refund: cardInsertV1.RefundRequest,
  Reverse: cardInsertV1.ReverseRequest,
  CloseBatch: cardInsertV1.CloseBatchRequest,
};

export const CARD_INSERT_OPERATIONS = Object.keys(REQUEST_CODECS) as CardInsertOperation[];

export function isCardInsertOperation(value: string): value is CardInsertOperation {
  return (CARD_INSERT_OPERATIONS as string[]).includes(value);
}

/** The generated grpc-js client's method names: `authorize`, `closeBatch`... */
export type CardInsertGrpcClient = {
  [K in CardInsertOperation as Uncapitalize<K>]: (
    request: CardInsertRequests[K],
  ) => Promise<CardInsertResponses[K]>;
};

export const grpcMethodName = <K extends CardInsertOperation>(operation: K): Uncapitalize<K> =>
  (operation[0]!.toLowerCase() + operation.slice(1)) as Uncapitalize<K>;

/** The terminal's view of a `createGrpcClient(cardInsertV1.CardInsertServiceService, ...)` client. */
export function cardInsertApiOf(client: CardInsertGrpcClient): CardInsertApi {
  const api = {} as Record<CardInsertOperation, unknown>;
  for (const operation of CARD_INSERT_OPERATIONS) {
    const method = client[grpcMethodName(operation)] as (request: unknown) => Promise<unknown>;
    api[operation] = (request: unknown) => method.call(client, request);
  }
  return api as CardInsertApi;
}
