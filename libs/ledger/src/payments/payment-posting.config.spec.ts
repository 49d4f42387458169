import { ConfigError } from '@tillgate/platform';
import { loadLedgerConfig } from '../ledger.config';

const problemsOf = (env: Record<string, string>) => {
  try {
    loadLedgerConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('the ledger config for posting payment events', () => {
  const postgres = {
    LEDGER_JOURNAL: 'event-store',
    DATABASE_URL: 'postgres://ledger@db:5432/ledger',
  };

  it('has no consumer unless LEDGER_KAFKA_BROKERS is set', () => {
    expect(loadLedgerConfig(postgres)).toMatchObject({
      LEDGER_KAFKA_BROKERS: undefined,
      LEDGER_PAYMENTS_TOPIC: 'tillgate.payments.v1',
      LEDGER_PAYMENTS_CONSUMER_GROUP: 'ledger-payments',
    });
  });

  it('reads the brokers, topic and group', () => {
    expect(
      loadLedgerConfig({
        ...postgres,
        LEDGER_KAFKA_BROKERS: 'k1:9092,k2:9092',
        LEDGER_PAYMENTS_TOPIC: 'tillgate.payments.v1',
        LEDGER_PAYMENTS_CONSUMER_GROUP: 'ledger-payments-eu',
      }),
    ).toMatchObject({
      LEDGER_KAFKA_BROKERS: ['k1:9092', 'k2:9092'],
      LEDGER_PAYMENTS_CONSUMER_GROUP: 'ledger-payments-eu',
    });
  });

  it('refuses brokers that are not host:port and a group Kafka would not take, naming each variable', () => {
    expect(
      problemsOf({
        ...postgres,
        LEDGER_KAFKA_BROKERS: 'kafka',
        LEDGER_PAYMENTS_CONSUMER_GROUP: 'ledger payments',
      }).map((p) => p.variable),
    ).toEqual(['LEDGER_KAFKA_BROKERS', 'LEDGER_PAYMENTS_CONSUMER_GROUP']);
  });

  it.each([
    ['the in-memory journal', { LEDGER_JOURNAL: 'memory' }],
    ['SQLite', { LEDGER_JOURNAL: 'event-store', DATABASE_URL: 'sqlite:.data/ledger.sqlite' }],
  ])('refuses the consumer on %s: its checkpoint needs the event store on Postgres', (_, env) => {
    expect(problemsOf({ ...env, LEDGER_KAFKA_BROKERS: 'k1:9092' })).toEqual([
      {
        variable: 'LEDGER_KAFKA_BROKERS',
        problem:
          'posting payment events needs LEDGER_JOURNAL=event-store and a postgres:// DATABASE_URL',
      },
    ]);
  });
});
