import { z } from 'zod';
import {
  ConfigError,
  configSchemas,
  defineConfig,
  describeConfig,
  loadConfig,
} from './config-schema';

const definition = defineConfig({
  PORT: { schema: configSchemas.port(50051), description: 'port' },
  BROKERS: { schema: configSchemas.brokers(), description: 'kafka' },
  DATABASE_URL: {
    schema: configSchemas.databaseUrl('sqlite:.data/x.sqlite'),
    description: 'db',
    sensitive: true,
  },
  MODE: { schema: z.enum(['a', 'b']).default('a'), description: 'mode' },
});

describe('loadConfig', () => {
  it('applies defaults when variables are unset or empty', () => {
    expect(loadConfig(definition, { PORT: '' })).toEqual({
      PORT: 50051,
      BROKERS: undefined,
      DATABASE_URL: 'sqlite:.data/x.sqlite',
      MODE: 'a',
    });
  });

  it('parses and transforms valid values', () => {
    const c = loadConfig(definition, { PORT: '7000', BROKERS: 'a:1,b:2', MODE: 'b' });
    expect(c.PORT).toBe(7000);
    expect(c.BROKERS).toEqual(['a:1', 'b:2']);
  });

  it('lists every problem at once, naming each variable, never echoing a sensitive value', () => {
    let error: unknown;
    try {
      loadConfig(definition, {
        PORT: '70000',
        BROKERS: 'localhost',
        DATABASE_URL: 'mysql://user:hunter2@db',
        MODE: 'c',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems.map((p) => p.variable)).toEqual(['PORT', 'BROKERS', 'DATABASE_URL', 'MODE']);
    expect(message).toContain('PORT: ');
    expect(message).toContain('(got "70000")');
    expect(message).toContain('expected postgres://... or sqlite:<path>');
    expect(message).not.toContain('hunter2');
  });

  it('describes loaded values with sensitive ones redacted', () => {
    const c = loadConfig(definition, { DATABASE_URL: 'postgres://u:secret@h/db' });
    expect(describeConfig(definition, c)).toMatchObject({
      DATABASE_URL: '[REDACTED]',
      PORT: 50051,
    });
  });
});
