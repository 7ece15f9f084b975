import pino from 'pino';

/**
 * One JSON line per event (pino). LOG_LEVEL sets the level; tests run silent unless
 * LOG_LEVEL says otherwise.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  base: { service: 'lifeboat' },
  redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.token', '*.secret'], censor: '[redacted]' },
});

export type Logger = typeof logger;
