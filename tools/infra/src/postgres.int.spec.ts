// Integration tests against a REAL PostgreSQL: DATABASE_URL, or else what
// infra.mjs resolves (the server on 127.0.0.1:5432, or a throwaway cluster).
import * as fs from 'node:fs';
import { Client } from 'pg';
import { EnvPatch, freePort, infraJson, isolatedStateDir, runInfra } from './infra-cli';

jest.setTimeout(180_000);

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('PostgreSQL through DATABASE_URL', () => {
  it('connects and runs queries', async () => {
    const fromEnv = process.env.DATABASE_URL;
    const url = fromEnv || (await infraJson(['up', 'postgres'])).DATABASE_URL!;
    expect(url).toMatch(/^postgres(ql)?:\/\//);

    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      const [row] = (await client.query('SELECT current_database() AS db, 40 + 2 AS answer')).rows;
      expect(row.answer).toBe(42);
      if (!fromEnv) expect(row.db).toBe('tillgate_test');
      await client.query(
        'CREATE TEMP TABLE infra_probe (id int PRIMARY KEY, amount_minor bigint NOT NULL)',
      );
      await client.query('INSERT INTO infra_probe VALUES ($1, $2)', [1, '1250']);
      const { rows } = await client.query('SELECT amount_minor FROM infra_probe WHERE id = 1');
      expect(rows).toEqual([{ amount_minor: '1250' }]);
    } finally {
      await client.end();
    }
  });

  it('up is idempotent for PostgreSQL (same URL twice)', async () => {
    if (process.env.DATABASE_URL) {
      const out = await infraJson(['up', 'postgres']);
      expect(out.DATABASE_URL).toBe(process.env.DATABASE_URL);
      return;
    }
    const a = await infraJson(['up', 'postgres']);
    const b = await infraJson(['up', 'postgres']);
    expect(b.DATABASE_URL).toBe(a.DATABASE_URL);
  });
});

describe('throwaway PostgreSQL when no server answers', () => {
  const stateDir = isolatedStateDir('pg');
  let env: EnvPatch = {};

  beforeAll(async () => {
    // Point at a port where nothing listens, so infra.mjs must start its own cluster.
    env = {
      TILLGATE_INFRA_STATE_DIR: stateDir,
      DATABASE_URL: undefined,
      PGHOST: '127.0.0.1',
      PGPORT: String(await freePort()),
      PGUSER: undefined,
    };
  });

  afterAll(async () => {
    await runInfra(['down', 'postgres'], env).catch(() => undefined);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('initdb + pg_ctl a private cluster, reuse it, and stop it on down', async () => {
    const first = await infraJson(['up', 'postgres'], env);
    const url = first.DATABASE_URL!;
    expect(url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/tillgate_test$/);
    expect(url).not.toContain(`:${env.PGPORT}/`);
    const rows = await query<{ db: string; n: number }>(
      url,
      'SELECT current_database() AS db, $1::int AS n',
      [7],
    );
    expect(rows).toEqual([{ db: 'tillgate_test', n: 7 }]);

    const again = await infraJson(['up', 'postgres'], env);
    expect(again.DATABASE_URL).toBe(url);

    await runInfra(['down', 'postgres'], env);
    await expect(query(url, 'SELECT 1')).rejects.toThrow();
  });
});
