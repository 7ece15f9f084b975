import type { ErrorRequestHandler, RequestHandler } from 'express';
import { LifeboatError } from '../core/errors';
import { logger } from '../operations/logger';

/** Unknown paths answer like everything else: JSON, with a code. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new LifeboatError('LB_ERR_NOT_FOUND', `no route ${req.method} ${req.path}`, { method: req.method, path: req.path }));
};

interface BodyParserError {
  type?: string;
  status?: number;
}

/**
 * The one place errors become responses: {"error":{code,message,hint,details}} with the
 * catalog's status. Bad input is a 4xx, never a 500; a stack trace never leaves the server.
 */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const requestId = res.getHeader('x-request-id');
  let error: LifeboatError;
  const parserError = err as BodyParserError;
  if (err instanceof LifeboatError) {
    error = err;
  } else if (parserError.type === 'entity.parse.failed') {
    error = new LifeboatError('LB_ERR_MALFORMED_JSON', 'the body is not valid JSON');
  } else if (parserError.type === 'entity.too.large') {
    error = new LifeboatError('LB_ERR_BODY_TOO_LARGE', 'the body is larger than this endpoint accepts');
  } else if (parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported') {
    error = new LifeboatError('LB_ERR_UNSUPPORTED_MEDIA_TYPE', 'the body must be UTF-8 JSON');
  } else if (parserError.status !== undefined && parserError.status >= 400 && parserError.status < 500) {
    error = new LifeboatError('LB_ERR_VALIDATION', 'the request could not be read');
  } else if (isRedisDown(err)) {
    error = new LifeboatError('LB_ERR_DEPENDENCY_DOWN', 'Redis is not reachable', { dependency: 'redis' });
  } else {
    logger.error({ err, requestId, method: req.method, path: req.path }, 'unexpected error');
    error = new LifeboatError('LB_ERR_INTERNAL', `unexpected error (request ${String(requestId)})`);
  }
  if (error.status >= 500 && err instanceof LifeboatError) logger.warn({ code: error.code, requestId, path: req.path }, error.message);
  res.status(error.status).json(error.toJSON());
};

function isRedisDown(err: unknown): boolean {
  const message = err instanceof Error ? err.message : '';
  return /Connection is closed|ECONNREFUSED|Stream isn't writeable|MaxRetriesPerRequest/.test(message);
}
