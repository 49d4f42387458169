// The lib itself never imports grpc-js (a domain layer, see eslint.config.mjs); this test
// plays the gRPC layer that injects it, to prove the TLS and interceptor wiring end to end.
// eslint-disable-next-line @nx/enforce-module-boundaries
import * as grpc from '@grpc/grpc-js';
import {
  grpcServerCredentials,
  TERMINAL_ID_METADATA_KEY,
  terminalAuthInterceptor,
} from './grpc-mtls';
import { terminalCertificateChecker } from './terminal-certificate-verifier';
import { aTerminalPki, TerminalPki } from './test-support/terminal-pki.builder';

/**
 * A real grpc-js server on 127.0.0.1 with mutual TLS: the handshake checks the
 * chain, the interceptor checks revocation and terminal identity.
 */
const echo: grpc.ServiceDefinition = {
  whoAmI: {
    path: '/tillgate.test.Echo/WhoAmI',
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (value: Buffer) => value,
    responseSerialize: (value: Buffer) => value,
    responseDeserialize: (value: Buffer) => value,
  },
};
const EchoClient = grpc.makeGenericClientConstructor(echo, 'Echo');

describe('terminal mutual TLS over grpc-js', () => {
  // Validity is checked by OpenSSL against the wall clock, so issue at "now".
  const pki: TerminalPki = aTerminalPki().at(new Date()).build();
  const good = pki.terminal('T-4001');
  const revoked = pki.terminal('T-4002');
  const impostor = aTerminalPki().named('impostor').at(new Date()).build().terminal('T-4001');
  const server = pki.server();
  const crl = pki.crl([
    { serialNumber: revoked.serialNumber, revokedAt: pki.now, reason: 'keyCompromise' },
  ]);

  let grpcServer: grpc.Server;
  let port: number;
  const handled: string[] = [];
  const clients: grpc.Client[] = [];

  beforeAll(async () => {
    const check = terminalCertificateChecker({
      trust: pki.trust,
      crl: () => crl,
      clock: () => new Date(),
    });
    grpcServer = new grpc.Server({ interceptors: [terminalAuthInterceptor(grpc, check)] });
    grpcServer.addService(echo, {
      whoAmI: (
        call: grpc.ServerUnaryCall<Buffer, Buffer>,
        callback: grpc.sendUnaryData<Buffer>,
      ) => {
        const terminalId = String(call.metadata.get(TERMINAL_ID_METADATA_KEY)[0]);
        handled.push(terminalId);
        callback(null, Buffer.from(terminalId));
      },
    });
    const credentials = grpcServerCredentials(grpc, {
      caChainPem: pki.ca.chainPem,
      certPem: server.certificatePem + pki.ca.issuing.certificatePem,
      keyPem: server.keys.privateKeyPem,
    });
    port = await new Promise<number>((resolve, reject) =>
      grpcServer.bindAsync('127.0.0.1:0', credentials, (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
  });

  afterAll(() => {
    clients.forEach((c) => c.close());
    grpcServer.forceShutdown();
  });

  function call(
    client: { certificatePem: string; keys: { privateKeyPem: { expose(): string } } } | null,
    metadata = new grpc.Metadata(),
  ) {
    const credentials = grpc.credentials.createSsl(
      Buffer.from(pki.ca.root.certificatePem),
      client ? Buffer.from(client.keys.privateKeyPem.expose()) : null,
      client ? Buffer.from(client.certificatePem + pki.ca.issuing.certificatePem) : null,
    );
    const stub = new EchoClient(`127.0.0.1:${port}`, credentials, {
      'grpc.ssl_target_name_override': 'localhost',
    });
    clients.push(stub);
    return new Promise<{ error: grpc.ServiceError | null; body?: string }>((resolve) => {
      stub.makeUnaryRequest(
        echo.whoAmI!.path,
        (v: Buffer) => v,
        (v: Buffer) => v,
        Buffer.alloc(0),
        metadata,
        { deadline: Date.now() + 10_000 },
        (error: grpc.ServiceError | null, body?: Buffer) =>
          resolve({ error, ...(body ? { body: body.toString() } : {}) }),
      );
    });
  }

  it('lets a terminal with a good certificate in, and tells the handler who it is', async () => {
    const result = await call(good);
    expect(result.error).toBeNull();
    expect(result.body).toBe('T-4001');
  });

  it('ignores a terminal id the client puts in its own metadata', async () => {
    const spoofed = new grpc.Metadata();
    spoofed.set(TERMINAL_ID_METADATA_KEY, 'T-9999');
    expect((await call(good, spoofed)).body).toBe('T-4001');
  });

  it('refuses a certificate from an unknown CA at the TLS handshake', async () => {
    const before = handled.length;
    const result = await call({ ...impostor, certificatePem: impostor.certificatePem });
    expect(result.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(handled).toHaveLength(before);
  });

  it('refuses a connection without a client certificate at the TLS handshake', async () => {
    const result = await call(null);
    expect(result.error?.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('refuses a revoked certificate before the handler runs', async () => {
    const before = handled.length;
    const result = await call(revoked);
    expect(result.error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(result.error?.details).toContain('PKI_CERT_REVOKED');
    expect(handled).toHaveLength(before);
  });
});
