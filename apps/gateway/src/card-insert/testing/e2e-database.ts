import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * A database of its own for one test file on the Postgres of the
 * integration environment, so that reruns and concurrent files never see
 * each other's payments; the gateway migrates it at start-up.
 */
export class E2eDatabase {
  private constructor(
    readonly url: string,
    private readonly serverUrl: string,
    private readonly name: string,
  ) {}

  static async create(label: string): Promise<E2eDatabase> {
    const serverUrl = process.env.DATABASE_URL;
    if (!serverUrl?.startsWith('postgres'))
      throw new Error(
        'DATABASE_URL must name the test Postgres: node tools/infra/infra.mjs up; eval "$(node tools/infra/infra.mjs env)"',
      );
    const name = `gw_e2e_${label}_${randomBytes(5).toString('hex')}`;
    await E2eDatabase.admin(serverUrl, `CREATE DATABASE "${name}"`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return new E2eDatabase(url.toString(), serverUrl, name);
  }

  private static async admin(serverUrl: string, statement: string): Promise<void> {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  }

  /** Runs `work` with a connection to this database. */
  async with<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: this.url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  /** The event types of a payment's stream, in stream order, as stored. */
  streamEventTypes(paymentId: string): Promise<string[]> {
    return this.with(async (client) => {
      const { rows } = await client.query<{ event_type: string }>(
        'SELECT event_type FROM es_events WHERE stream_id = $1 ORDER BY stream_version',
        [`payments-${paymentId}`],
      );
      return rows.map((r) => r.event_type);
    });
  }

  drop(): Promise<void> {
    return E2eDatabase.admin(this.serverUrl, `DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`);
  }
}
