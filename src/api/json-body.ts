import type { RequestHandler } from 'express';
import express from 'express';
import { LifeboatError } from '../core/errors';

/** Intents are small; anything bigger than this is not one. */
export const BODY_LIMIT = '64kb';

/** A POST with a body must say it is JSON; an empty body counts as {}. */
export const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json')) {
    next(new LifeboatError('LB_ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json, got ${req.headers['content-type'] ?? 'none'}`));
    return;
  }
  next();
};

export const parseJson = express.json({ limit: BODY_LIMIT, strict: true });

/** The parsed body, {} when there was none. */
export function bodyOf(body: unknown): unknown {
  return body === undefined ? {} : body;
}
