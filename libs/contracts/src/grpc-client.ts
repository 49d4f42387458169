import {
  CallOptions,
  ChannelCredentials,
  Client,
  Metadata,
  ServiceError,
  credentials as grpcCredentials,
  makeGenericClientConstructor,
} from '@grpc/grpc-js';

/** The shape ts-proto generates for a unary method of a grpc-js service. */
interface UnaryMethodDefinition<Req, Res> {
  path: string;
  requestStream: false;
  responseStream: false;
  requestSerialize(value: Req): Buffer;
  responseDeserialize(value: Buffer): Res;
}

type PromiseClient<S> = {
  [K in keyof S]: S[K] extends UnaryMethodDefinition<infer Req, infer Res>
    ? (request: Req, metadata?: Metadata, options?: CallOptions) => Promise<Res>
    : never;
};

export interface GrpcClientOptions {
  credentials?: ChannelCredentials;
  /** Default per-call deadline in milliseconds (5 s unless set). */
  deadlineMs?: number;
}

/**
 * A promise-based client for a generated grpc-js service definition, e.g.
 * `createGrpcClient(gatewayV1.GatewayServiceService, '127.0.0.1:50051')`.
 * Only unary methods are wrapped; `close()` releases the channel.
 */
export function createGrpcClient<S extends Record<string, unknown>>(
  service: S,
  address: string,
  options: GrpcClientOptions = {},
): PromiseClient<S> & { close(): void; raw: Client } {
  const Ctor = makeGenericClientConstructor(service as never, 'tillgate');
  const raw = new Ctor(address, options.credentials ?? grpcCredentials.createInsecure());
  const deadlineMs = options.deadlineMs ?? 5000;
  // Streaming methods are left out: use `raw` for those.
  const methods = Object.fromEntries(
    Object.entries(service)
      .filter(([, def]) => {
        const d = def as { requestStream: boolean; responseStream: boolean };
        return !d.requestStream && !d.responseStream;
      })
      .map(([name, def]) => {
        const { path, requestSerialize, responseDeserialize } = def as UnaryMethodDefinition<
          unknown,
          unknown
        >;
        const call = (request: unknown, metadata = new Metadata(), callOptions: CallOptions = {}) =>
          new Promise((resolve, reject) => {
            raw.makeUnaryRequest(
              path,
              requestSerialize,
              responseDeserialize,
              request,
              metadata,
              { deadline: Date.now() + deadlineMs, ...callOptions },
              (err: ServiceError | null, value?: unknown) => (err ? reject(err) : resolve(value)),
            );
          });
        return [name, call];
      }),
  );
  return Object.assign(methods as PromiseClient<S>, { close: () => raw.close(), raw });
}
