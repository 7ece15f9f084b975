import type { Request, Response } from 'express';
import { Router } from 'express';
import { z } from 'zod';
import { LifeboatError } from '../../core/errors';
import type { SessionStore } from '../../operations/ports/session-store';
import { parseOrThrow } from '../../operations/validation';
import type { Identity } from '../../operations/tokens';
import { hashToken, identify } from '../../operations/tokens';
import type { ApiDeps } from '../api-deps';
import { auditAccess, authenticate, saysJson, sessionIdentity } from '../auth';
import { cookieValue, newSessionId, SESSION_COOKIE, SESSION_ID_PATTERN, TOKEN_PATTERN } from '../credentials';
import { bodyOf, parseJson, requireJson } from '../json-body';
import type { UnauthenticatedRefusals } from '../unauthenticated-refusals';

/**
 * The dashboard's browser session. A browser cannot put a bearer token on a page load or an
 * EventSource, so the dashboard opens a session with the token once:
 *   POST   /v1/session {token}  checks the token (401 if unknown), opens a session, sets the cookie
 *   GET    /v1/session          who the cookie (or bearer token) is: {identity, credentials}
 *   DELETE /v1/session          ends the session and clears the cookie
 * The session lives on the server (in Redis, under the key prefix, for LIFEBOAT_SESSION_TTL):
 * the cookie holds only its random id, HttpOnly (no script reads it), SameSite=Strict,
 * Path=/, Secure over HTTPS. A session ends when it expires, when its browser logs out (a
 * copy of the cookie is then worth nothing), or when its token is removed from the
 * configuration. Why it is safe from cross-site request forgery: see authenticate() in ../auth.ts.
 */

export const sessionBodySchema = z.object({ token: z.string().regex(TOKEN_PATTERN, 'an API token (npm run token prints one)') }).strict();

type SessionDeps = ApiDeps & { sessions: SessionStore; refusals: UnauthenticatedRefusals };

export function sessionRouter(deps: SessionDeps): Router {
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
      await deps.refusals.record(req, 'unknown_token', { code: 'LB_ERR_UNAUTHENTICATED', message: 'session: the token is not known' });
      res.setHeader('WWW-Authenticate', 'Bearer realm="lifeboat"');
      throw new LifeboatError('LB_ERR_UNAUTHENTICATED', 'the token is not valid');
    }
    const id = newSessionId();
    const now = deps.clock.now();
    const ttlMs = deps.settings.LIFEBOAT_SESSION_TTL * 1000;
    await deps.sessions.save(id, { tokenSha256: hashToken(token), name: identity.name, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + ttlMs).toISOString() });
    await auditAccess(deps, req, { actor: `api:${identity.name}`, action: 'session.start', outcome: 'succeeded' });
    res.cookie(SESSION_COOKIE, id, { ...cookieOptions(req), maxAge: ttlMs });
    res.json({ identity, credentials: 'cookie' });
  });

  router.get('/', authenticate(deps.auth, deps), (_req, res) => {
    res.json({ identity: res.locals.identity as Identity, credentials: res.locals.credentials as string });
  });

  // Logging out ends the session on the server, so a copy of the cookie (stolen, or left in another browser) stops working too.
  router.delete('/', async (req, res) => {
    const id = cookieValue(req.get('cookie'), SESSION_COOKIE);
    if (id !== undefined && SESSION_ID_PATTERN.test(id)) {
      const identity = await sessionIdentity(id, deps.auth, deps).catch(() => undefined);
      if (await deps.sessions.delete(id)) await auditAccess(deps, req, { actor: `api:${identity?.name ?? 'unauthenticated'}`, action: 'session.end', outcome: 'succeeded' });
    }
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
