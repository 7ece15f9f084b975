import type { Request, Response } from 'express';
import { Router } from 'express';
import { z } from 'zod';
import { LifeboatError } from '../../core/errors';
import { parseOrThrow } from '../../operations/validation';
import type { Identity } from '../../operations/tokens';
import { identify } from '../../operations/tokens';
import type { ApiDeps } from '../api-deps';
import { auditAccess, authenticate, saysJson } from '../auth';
import { SESSION_COOKIE, TOKEN_PATTERN } from '../credentials';
import { bodyOf, parseJson, requireJson } from '../json-body';

/**
 * The dashboard's browser session. A browser cannot put a bearer token on a page load or an
 * EventSource, so the dashboard trades the token for a cookie once:
 *   POST   /v1/session {token}  checks the token (401 if unknown), sets the cookie
 *   GET    /v1/session          who the cookie (or bearer token) is: {identity, credentials}
 *   DELETE /v1/session          forgets the cookie
 * The cookie holds the token itself, HttpOnly (no script reads it), SameSite=Strict, Path=/,
 * Secure over HTTPS; every request is checked against the configured hashes as a bearer
 * token is, so removing a token ends its sessions too. Why it is safe from cross-site
 * request forgery: see authenticate() in ../auth.ts.
 */

export const sessionBodySchema = z.object({ token: z.string().regex(TOKEN_PATTERN, 'an API token (npm run token prints one)') }).strict();

/** How long a browser keeps the cookie. */
const SESSION_MAX_AGE_MS = 12 * 3600 * 1000;

export function sessionRouter(deps: ApiDeps): Router {
  const router = Router();

  // Mounted before authentication (the token comes in the body), so it parses JSON itself; a
  // login must say it is JSON even when empty, so no form on another page can log a browser in.
  router.post('/', requireJsonType, requireJson, parseJson, async (req, res) => {
    if (deps.auth.insecure) {
      res.json({ identity: { name: 'anonymous', roles: ['admin'] }, credentials: 'insecure' });
      return;
    }
    const { token } = parseOrThrow(sessionBodySchema, bodyOf(req.body));
    const identity = identify(token, deps.auth.tokens);
    if (!identity) {
      await auditAccess(deps, req, { actor: 'api:unauthenticated', action: 'auth.denied', outcome: 'denied', error: { code: 'LB_ERR_UNAUTHENTICATED', message: 'session: the token is not known' } });
      res.setHeader('WWW-Authenticate', 'Bearer realm="lifeboat"');
      throw new LifeboatError('LB_ERR_UNAUTHENTICATED', 'the token is not valid');
    }
    await auditAccess(deps, req, { actor: `api:${identity.name}`, action: 'session.start', outcome: 'succeeded' });
    res.cookie(SESSION_COOKIE, token, { ...cookieOptions(req), maxAge: SESSION_MAX_AGE_MS });
    res.json({ identity, credentials: 'cookie' });
  });

  router.get('/', authenticate(deps.auth, deps), (_req, res) => {
    res.json({ identity: res.locals.identity as Identity, credentials: res.locals.credentials as string });
  });

  router.delete('/', (req, res) => {
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.status(204).end();
  });

  return router;
}

function cookieOptions(req: Request) {
  // Secure where the browser reached lifeboat over HTTPS (directly, or through a proxy that says so).
  const https = req.secure || req.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
  return { httpOnly: true, sameSite: 'strict' as const, path: '/', secure: https };
}

function requireJsonType(req: Request, _res: Response, next: (e?: unknown) => void): void {
  if (!saysJson(req)) {
    next(new LifeboatError('LB_ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json, got ${req.get('content-type') ?? 'none'}`));
    return;
  }
  next();
}
