import type { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';
import { REDACTION_PATHS, maskPanLike, maskPanLikeDeep } from './card-data-redaction';

export type { Logger } from 'pino';

/**
 * The structured logger every Tillgate process uses: JSON lines, card-data
 * fields censored by path, PAN-like digit runs masked in every string.
 */
export function createLogger(
  options: { level?: string; name?: string } = {},
  destination?: DestinationStream,
): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    name: options.name ?? 'tillgate',
    redact: { paths: REDACTION_PATHS, censor: '[REDACTED]' },
    formatters: { log: (object) => maskPanLikeDeep(object) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === 'string' ? maskPanLike(a) : a));
        return method.apply(this, masked as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(config, destination) : pino(config);
}

/** Adapts a pino logger to NestJS's LoggerService so framework logs are structured too. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, stackOrContext?: string, context?: string): void {
    // The stack of a framework error goes to the log only, never to a client.
    this.write('error', message, context ?? stackOrContext);
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.write('fatal', message, context);
  }

  private write(level: pino.Level, message: unknown, context?: string): void {
    if (typeof message === 'string') this.logger[level]({ context }, message);
    else this.logger[level]({ context, detail: message });
  }
}
