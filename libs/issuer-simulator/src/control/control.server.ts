import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IssuerHost } from '../host/issuer-host';
import type { SimulatedIssuer } from '../issuer/simulated-issuer';
import { faultRuleSchema } from './control.schema';

const MAX_BODY_BYTES = 64 * 1024;

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The simulator's control channel: JSON over HTTP, bound to 127.0.0.1 only.
 *
 * | Method and path           | Does                                                   |
 * | ------------------------- | ------------------------------------------------------ |
 * | GET /health               | `{ status, connections }`                              |
 * | GET /faults               | the fault rules in force                               |
 * | POST /faults              | adds a rule (body: FaultRuleInput), 201 with the rule  |
 * | DELETE /faults            | removes every rule                                     |
 * | POST /connections/drop    | closes every client connection now                     |
 * | GET /journal              | the journal entries, oldest first                      |
 * | GET /cards                | card summaries (masked PAN, balance, PIN tries, ATC)   |
 */
export class ControlServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(options: {
    readonly host: IssuerHost;
    readonly issuer: SimulatedIssuer;
    /** 0 picks a free port. */
    readonly port: number;
  }): Promise<ControlServer> {
    const server = createServer((req, res) => {
      route(req, options).then(
        ({ status, body }) => reply(res, status, body),
        (error: unknown) =>
          error instanceof HttpProblem
            ? reply(res, error.status, { error: error.message })
            : reply(res, 500, { error: 'internal error' }),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', () => resolve());
    });
    return new ControlServer(server, (server.address() as AddressInfo).port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function route(
  req: IncomingMessage,
  { host, issuer }: { host: IssuerHost; issuer: SimulatedIssuer },
): Promise<{ status: number; body?: unknown }> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  switch (`${req.method} ${path}`) {
    case 'GET /health':
      return { status: 200, body: { status: 'ok', connections: host.connectionCount } };
    case 'GET /faults':
      return { status: 200, body: host.faults.list() };
    case 'POST /faults': {
      const parsed = faultRuleSchema.safeParse(await readJson(req));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new HttpProblem(400, `${issue.path.join('.') || 'body'}: ${issue.message}`);
      }
      return { status: 201, body: host.faults.add(parsed.data) };
    }
    case 'DELETE /faults':
      return { status: 200, body: { removed: host.faults.clear() } };
    case 'POST /connections/drop':
      return { status: 200, body: { dropped: host.dropConnections() } };
    case 'GET /journal':
      return { status: 200, body: issuer.journal.entries() };
    case 'GET /cards':
      return { status: 200, body: issuer.cards.list() };
    default:
      throw new HttpProblem(404, `no route ${req.method} ${path}`);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, 'body too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpProblem(400, 'body is not JSON');
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(text);
}
