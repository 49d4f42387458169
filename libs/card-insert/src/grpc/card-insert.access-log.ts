import { status as GrpcStatus } from '@grpc/grpc-js';
import { cardInsertV1 } from '@tillgate/contracts';
import { GrpcRequestError, type Logger } from '@tillgate/platform';

/** The Nest token of the logger the controller writes its access log to. */
export const CARD_INSERT_LOGGER = Symbol('CARD_INSERT_LOGGER');

/** What a request says about itself, for the log: identifiers only, never card data. */
interface LoggedRequest {
  header?: cardInsertV1.TerminalRequestHeader;
  paymentId?: string;
}

/** What a response says about the outcome, for the log: the masked PAN at most. */
interface LoggedResponse {
  paymentId?: string;
  status?: cardInsertV1.PaymentStatus;
  responseCode?: string;
  maskedPan?: string;
}

const statusName = (s: cardInsertV1.PaymentStatus | undefined): string | undefined =>
  s === undefined ? undefined : cardInsertV1.PaymentStatus[s]?.replace('PAYMENT_STATUS_', '');

/**
 * One line per RPC: who asked (terminal, STAN, client request id), what
 * came of it (payment, status, response code, masked PAN) or why it was
 * refused (gRPC status, error code, field), and how long it took. Request
 * and response bodies are never logged: they hold encrypted card data and
 * MACs that have no place in a log.
 */
export async function logged<Req extends LoggedRequest, Res extends LoggedResponse>(
  logger: Logger | undefined,
  operation: string,
  request: Req,
  work: () => Promise<Res>,
): Promise<Res> {
  const started = performance.now();
  const who = {
    operation,
    terminalId: request.header?.terminalId,
    stan: request.header?.stan,
    clientRequestId: request.header?.clientRequestId,
    paymentId: request.paymentId || undefined,
  };
  const ms = () => Math.round((performance.now() - started) * 10) / 10;
  try {
    const response = await work();
    logger?.info(
      {
        ...who,
        paymentId: response.paymentId || who.paymentId,
        status: statusName(response.status),
        responseCode: response.responseCode || undefined,
        maskedPan: response.maskedPan || undefined,
        ms: ms(),
      },
      'card-insert request',
    );
    return response;
  } catch (err) {
    if (err instanceof GrpcRequestError) {
      logger?.warn(
        {
          ...who,
          grpcStatus: GrpcStatus[err.grpcCode],
          errorCode: err.errorCode,
          field: err.field,
          ms: ms(),
        },
        'card-insert request refused',
      );
    } else {
      logger?.error(
        {
          ...who,
          err: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
          ms: ms(),
        },
        'card-insert request failed',
      );
    }
    throw err;
  }
}
