import pino from 'pino';
import type { DestinationStream, LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import { currentOperation } from './operation-context';

/**
 * One JSON line per event (pino). LOG_LEVEL sets the level; tests run silent unless
 * LOG_LEVEL says otherwise.
 *
 * Every line logged while an operation runs carries its operationId, the step running
 * (null between steps) and the operation's region, from the operation context (mixin), so
 * `grep op_...` or a log query on operationId gives the whole story of one operation.
 *
 * Readable in development: LOG_FORMAT=pretty prints one coloured line per event
 * (pino-pretty); LOG_FORMAT=json forces JSON; without LOG_FORMAT, a terminal gets pretty
 * lines unless NODE_ENV=production, and anything else (a pipe, a file, a collector) JSON.
 */

type LogFormat = 'json' | 'pretty';

/** Where secrets could hide in what gets logged: never written, whatever logs them. */
const REDACTED_PATHS = [
  'authorization',
  'Authorization',
  'cookie',
  '*.authorization',
  '*.Authorization',
  '*.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'res.headers["set-cookie"]',
  '*.token',
  '*.secret',
];

export function logFormatFrom(env: Record<string, string | undefined> = process.env, isTty: boolean = process.stdout.isTTY === true): LogFormat {
  const asked = env.LOG_FORMAT?.trim().toLowerCase();
  if (asked === 'pretty' || asked === 'json') return asked;
  return isTty && env.NODE_ENV !== 'production' ? 'pretty' : 'json';
}

/** The operation's fields on every line logged in its context. */
function operationFields(): Record<string, unknown> {
  const op = currentOperation();
  if (!op) return {};
  return { operationId: op.operationId, step: op.step ?? null, region: op.region ?? null };
}

interface CreateLoggerOptions {
  level?: string;
  format?: LogFormat;
  /** Where lines go; stdout by default. With format pretty, where the pretty lines go. */
  destination?: DestinationStream;
}

export function createLogger(options: CreateLoggerOptions = {}): pino.Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
    base: { service: 'lifeboat' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin: operationFields,
  };
  const format = options.format ?? logFormatFrom();
  if (format === 'pretty') {
    const stream = pretty({
      colorize: options.destination ? false : process.stdout.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
      singleLine: true,
      sync: true,
      ...(options.destination ? { destination: options.destination } : {}),
    });
    return pino(config, stream);
  }
  return options.destination ? pino(config, options.destination) : pino(config);
}

export const logger = createLogger();
