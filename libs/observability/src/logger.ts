import { LoggerService } from '@nestjs/common';
import pino, { Logger as Pino } from 'pino';

/** Paths that may hold credentials; pino replaces them before a line is written. */
const REDACTED_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'token',
  'password',
  'secret',
  '*.token',
  '*.password',
  '*.secret',
];

/** Creates the process logger: JSON lines on stdout, credentials redacted. */
export function createLogger(level: string, service: string): Pino {
  return pino({
    level,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** Lets Nest (and everything using Nest's Logger) write through pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Pino) {}

  log(message: unknown, context?: string): void {
    this.pino.info({ context }, String(message));
  }

  error(message: unknown, trace?: string, context?: string): void {
    this.pino.error({ context, ...(trace ? { trace } : {}) }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.pino.warn({ context }, String(message));
  }

  debug(message: unknown, context?: string): void {
    this.pino.debug({ context }, String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.pino.trace({ context }, String(message));
  }
}
