/** The slice of a structured logger the key store uses; a pino Logger (`@tillgate/platform` createLogger) fits. */
export interface KeyStoreLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}
