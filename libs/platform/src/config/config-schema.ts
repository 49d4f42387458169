import { z } from 'zod';

/** One environment variable: its schema, what it is for, whether it may be printed. */
export interface ConfigVariable<T> {
  schema: z.ZodType<T, z.ZodTypeDef, unknown>;
  description: string;
  sensitive?: boolean;
}

export type ConfigDefinition = Record<string, ConfigVariable<unknown>>;

export type ConfigValues<D extends ConfigDefinition> = {
  [K in keyof D]: D[K] extends ConfigVariable<infer T> ? T : never;
};

/** Raised at start-up with every problem found, one per variable. */
export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
  constructor(readonly problems: { variable: string; problem: string }[]) {
    super(
      `Invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.problem}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

export function defineConfig<D extends ConfigDefinition>(definition: D): D {
  return definition;
}

/**
 * Validates `env` against the definition. All problems are collected so an
 * operator fixes them in one go; values of sensitive variables are never
 * echoed back.
 */
export function loadConfig<D extends ConfigDefinition>(
  definition: D,
  env: Record<string, string | undefined> = process.env,
): ConfigValues<D> {
  const problems: { variable: string; problem: string }[] = [];
  const values: Record<string, unknown> = {};
  for (const [variable, spec] of Object.entries(definition)) {
    const raw = env[variable] === '' ? undefined : env[variable];
    const result = spec.schema.safeParse(raw);
    if (result.success) {
      values[variable] = result.data;
    } else {
      const reason = result.error.issues.map((i) => i.message).join('; ');
      const shown = spec.sensitive || raw === undefined ? '' : ` (got "${raw}")`;
      problems.push({ variable, problem: `${reason}${shown}` });
    }
  }
  if (problems.length) throw new ConfigError(problems);
  return values as ConfigValues<D>;
}

/** A printable view of loaded values with sensitive ones replaced. */
export function describeConfig<D extends ConfigDefinition>(
  definition: D,
  values: ConfigValues<D>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(definition).map((k) => [k, definition[k].sensitive ? '[REDACTED]' : values[k]]),
  );
}

/** Reusable field schemas. */
export const configSchemas = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  host: (fallback: string) => z.string().min(1).default(fallback),
  logLevel: () =>
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  brokers: () =>
    z
      .string()
      .regex(/^[^,\s:]+:\d+(,[^,\s:]+:\d+)*$/, 'expected a comma-separated list of host:port')
      .transform((s) => s.split(','))
      .optional(),
  databaseUrl: (fallback: string) =>
    z
      .string()
      .regex(/^(postgres(ql)?:\/\/|sqlite:)/, 'expected postgres://... or sqlite:<path>')
      .default(fallback),
};
