import type { RequestHandler } from 'express';
import { logger } from '../operations/logger';
import { isReadMethod } from './request-kind';

/**
 * One log line per request once it is answered: method, path (no query string), status,
 * duration, request id and actor. Never headers or bodies, so no token or cookie reaches the
 * log. Changes and errors at info (5xx at warn); reads that succeed at debug, so a dashboard
 * polling the API does not drown the log.
 */
export const requestLog: RequestHandler = (req, res, next) => {
  const started = process.hrtime.bigint();
  res.once('finish', () => {
    const status = res.statusCode;
    const read = isReadMethod(req.method);
    const level = status >= 500 ? 'warn' : read && status < 400 ? 'debug' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    const fields = {
      method: req.method,
      path: req.originalUrl.split('?')[0],
      status,
      durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
      requestId: res.getHeader('x-request-id'),
      ...(res.locals.actor ? { actor: res.locals.actor as string } : {}),
    };
    logger[level](fields, `${req.method} ${fields.path} ${status}`);
  });
  next();
};
