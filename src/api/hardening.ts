import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { LifeboatError } from '../core/errors';
import { isReadMethod } from './request-kind';

/**
 * The API's and the dashboard's content security policy: nothing beyond 'self' (images may
 * be data: URLs). Helmet's default upgrade-insecure-requests is left out: lifeboat serves
 * plain HTTP (TLS, where there is any, ends in front of it), and that directive would send
 * the page's own script and stylesheet requests to https:// on a host that does not answer it.
 */
const API_CSP_DIRECTIVES = { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'], connectSrc: ["'self'"], frameAncestors: ["'none'"], upgradeInsecureRequests: null };

/** Security headers (helmet): no sniffing, no framing, no referrer, a strict CSP, HSTS. */
export const securityHeaders: RequestHandler = helmet({
  contentSecurityPolicy: { directives: API_CSP_DIRECTIVES },
  referrerPolicy: { policy: 'no-referrer' },
});

/**
 * The queue board's pages only (/admin/queues): Bull Board's React UI injects its styles at
 * run time, so style-src allows inline styles there. Scripts stay 'self' (its inline
 * configuration is a JSON data block, not a script), and nothing is fetched from elsewhere
 * (its Google Fonts link is refused; the board falls back to system fonts).
 */
export const queueBoardSecurityHeaders: RequestHandler = helmet.contentSecurityPolicy({
  directives: { ...API_CSP_DIRECTIVES, styleSrc: ["'self'", "'unsafe-inline'"], fontSrc: ["'self'", 'data:'], workerSrc: ["'self'", 'blob:'] },
});

/** API answers are never cached by browsers or proxies. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** CORS only for the configured origins; without any, browsers elsewhere cannot call the API. */
export function cors(origins: readonly string[]): RequestHandler {
  return (req, res, next) => {
    const origin = req.get('origin');
    if (!origin || !origins.includes(origin)) {
      next();
      return;
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Idempotency-Key, Last-Event-ID');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}

/**
 * Per-token rate limit on changes: a token bucket per actor (in this process). Reads are
 * not limited; a burst of changes is, with Retry-After saying when to try again.
 */
export function rateLimitChanges(perMinute: number, burst: number): RequestHandler {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refillPerMs = perMinute / 60_000;
  return (req, res, next) => {
    if (isReadMethod(req.method)) {
      next();
      return;
    }
    const actor = (res.locals.actor as string | undefined) ?? 'anonymous';
    const t = Date.now();
    const b = buckets.get(actor) ?? { tokens: burst, at: t };
    b.tokens = Math.min(burst, b.tokens + (t - b.at) * refillPerMs);
    b.at = t;
    buckets.set(actor, b);
    if (b.tokens < 1) {
      const wait = Math.ceil((1 - b.tokens) / refillPerMs / 1000);
      res.setHeader('Retry-After', String(wait));
      next(new LifeboatError('LB_ERR_RATE_LIMITED', `${actor} sent more than ${burst} changes in a burst (${perMinute} a minute)`, { retryAfterSeconds: wait }));
      return;
    }
    b.tokens -= 1;
    next();
  };
}
