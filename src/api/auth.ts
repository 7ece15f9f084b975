import type { Request, RequestHandler } from 'express';
import type { ErrorCode } from '../core/errors';
import { LifeboatError } from '../core/errors';
import type { AuditEntry, AuditLog } from '../operations/ports/audit-log';
import type { Clock } from '../operations/ports/clock';
import { withDeadline } from '../operations/deadline';
import type { SessionStore } from '../operations/ports/session-store';
import type { Identity, Role, TokenEntry } from '../operations/tokens';
import { hasRole, identify, identifyHash } from '../operations/tokens';
import { cookieValue, SESSION_COOKIE, SESSION_ID_PATTERN, TOKEN_PATTERN } from './credentials';
import type { UnauthenticatedReason, UnauthenticatedRefusals } from './unauthenticated-refusals';
import { isQueueBoardPath, isReadMethod } from './request-kind';
import { roleNeeded } from './route-catalog';

export interface AuthConfig {
  tokens: readonly TokenEntry[];
  /** Development only: no token needed, every caller is an anonymous admin. */
  insecure: boolean;
}

/** Where refused and accepted logins are recorded. */
type AccessAuditDeps = { audit: AuditLog; clock: Clock };

/** What authentication reads: the sessions behind cookies, and where refusals go. */
export interface AuthDeps extends AccessAuditDeps {
  sessions: SessionStore;
  /** Refusals before anyone is identified: counted, and sampled into the audit trail. */
  refusals: UnauthenticatedRefusals;
}

/** How long a session lookup may take before the request is refused as Redis being down. */
const SESSION_LOOKUP_MS = 2000;

/**
 * The role a request needs, as the route catalog states it (roleNeeded in route-catalog.ts):
 * reads are for viewers, changes for operators, approvals for approvers, acting on the queue
 * board for admin. The path is judged as Express routes it (case-insensitive, trailing
 * slashes forgiven), so POST /V1/operations/:id/APPROVE/ needs what approving does.
 */
export function roleFor(method: string, path: string): Role {
  return roleNeeded(method, path);
}

type Credentials = { identity: Identity; via: 'insecure' | 'bearer' | 'cookie' } | { refused: UnauthenticatedReason; why: string; message: string };

/**
 * Bearer tokens on every endpoint this is mounted on, then the role the route needs. A
 * missing or unknown token is a 401, a token without the role a 403. A refusal of someone
 * identified is recorded in the audit trail; one of nobody in particular is counted and
 * sampled (UnauthenticatedRefusals), so nobody can fill the audit trail from outside.
 *
 * Without an Authorization header, the dashboard's session cookie is accepted instead (a
 * browser cannot put a bearer token on a page load or an EventSource). The cookie holds a
 * session id (routes/session.ts), never the token: the session is looked up, must not have
 * expired, and lasts only while its token is configured (its roles are the token's, now).
 * A cookie is sent by the browser on its own, so a cookie-authenticated change could be
 * forged by another page (CSRF). Three things stop that:
 * - the cookie is SameSite=Strict: a browser sends it on no request started by another site;
 * - a change made with the cookie must say Content-Type: application/json (even with no
 *   body). An HTML form can only send urlencoded, multipart or text/plain, and a script on
 *   another origin cannot send JSON without a CORS preflight, which lifeboat never grants
 *   with credentials. (The API already requires JSON for every body.)
 * - where the browser says where a request comes from (Sec-Fetch-Site), a change with the
 *   cookie must come from the same origin: another port on the same host is "same-site",
 *   which SameSite alone would let through.
 * Bearer-token clients are unaffected: nobody but the caller can add that header.
 */
export function authenticate(config: AuthConfig, deps: AuthDeps): RequestHandler {
  return async (req, res, next) => {
    try {
      const found: Credentials = config.insecure ? { identity: { name: 'anonymous', roles: ['admin'] }, via: 'insecure' } : await credentialsOf(req, config, deps);
      if ('refused' in found) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="lifeboat"');
        await deps.refusals.record(req, found.refused, { code: 'LB_ERR_UNAUTHENTICATED', message: found.why });
        next(new LifeboatError('LB_ERR_UNAUTHENTICATED', found.message));
        return;
      }
      const { identity, via } = found;
      const forged = via === 'cookie' ? forgeryRisk(req) : undefined;
      if (forged) {
        await deny(req, deps, `api:${identity.name}`, forged.message);
        next(forged);
        return;
      }
      res.locals.credentials = via;
      const needed = roleFor(req.method, req.originalUrl.split('?')[0]!);
      res.locals.actor = `api:${identity.name}`;
      res.locals.identity = identity;
      if (!hasRole(identity, needed)) {
        await deny(req, deps, `api:${identity.name}`, `needs role ${needed}`);
        next(new LifeboatError('LB_ERR_FORBIDDEN', `${identity.name} does not have the ${needed} role this needs`, { needed, roles: identity.roles }));
        return;
      }
      next();
    } catch (e) {
      next(e);
    }
  };
}

/** Who the request's bearer token, or else its session cookie, belongs to; or why nobody. */
async function credentialsOf(req: Request, config: AuthConfig, deps: AuthDeps): Promise<Credentials> {
  const header = req.get('authorization');
  if (header !== undefined) {
    const presented = /^Bearer (\S+)$/.exec(header)?.[1];
    const identity = presented !== undefined && TOKEN_PATTERN.test(presented) ? identify(presented, config.tokens) : undefined;
    return identity ? { identity, via: 'bearer' } : { refused: 'unknown_token', why: 'the token is not known', message: 'the bearer token is not valid' };
  }
  const cookie = cookieValue(req.get('cookie'), SESSION_COOKIE);
  if (cookie === undefined) return { refused: 'no_token', why: 'no token', message: 'send Authorization: Bearer <token>' };
  const identity = await sessionIdentity(cookie, config, deps);
  return identity ? { identity, via: 'cookie' } : { refused: 'unknown_session', why: 'the session cookie names no live session', message: 'the session is no longer valid; log in again (POST /v1/session)' };
}

/**
 * Who a session belongs to now: undefined when there is no such session, when it has
 * expired, or when its token is no longer configured. LB_ERR_DEPENDENCY_DOWN when the
 * sessions cannot be read in time (Redis away): a refusal, never a wait.
 */
export async function sessionIdentity(sessionId: string, config: AuthConfig, deps: Pick<AuthDeps, 'sessions' | 'clock'>): Promise<Identity | undefined> {
  if (!SESSION_ID_PATTERN.test(sessionId)) return undefined;
  let session;
  try {
    session = await withDeadline(deps.sessions.get(sessionId), SESSION_LOOKUP_MS, 'the session store');
  } catch (e) {
    throw new LifeboatError('LB_ERR_DEPENDENCY_DOWN', `the session could not be read: ${e instanceof Error ? e.message : String(e)}`, { dependency: 'redis' });
  }
  if (!session || Date.parse(session.expiresAt) <= deps.clock.now().getTime()) return undefined;
  return identifyHash(session.tokenSha256, config.tokens);
}

/** Whether the request's Content-Type header is JSON (whether or not a body came with it). */
export function saysJson(req: Request): boolean {
  return /^application\/json\s*(;|$)/i.test(req.get('content-type') ?? '');
}

/** Why a change sent with the session cookie may not be the dashboard's own (see authenticate). */
function forgeryRisk(req: Request): LifeboatError | undefined {
  if (isReadMethod(req.method)) return undefined;
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return new LifeboatError('LB_ERR_FORBIDDEN', `a change made with the session cookie must come from lifeboat's own pages (Sec-Fetch-Site: ${site})`, { credentials: 'cookie', secFetchSite: site });
  }
  // The queue board's own pages send their actions without a body; a browser that says the
  // request comes from lifeboat's own origin is believed there (forms cannot forge that header).
  if (site === 'same-origin' && isQueueBoardPath(req.originalUrl.split('?')[0]!)) return undefined;
  if (!saysJson(req)) {
    return new LifeboatError('LB_ERR_UNSUPPORTED_MEDIA_TYPE', `a change made with the session cookie must send Content-Type: application/json, got ${req.get('content-type') ?? 'none'}`, { credentials: 'cookie' });
  }
  return undefined;
}

/** A refusal of someone identified: recorded (for a change), with who it was. */
async function deny(req: Request, deps: AccessAuditDeps, actor: string, why: string): Promise<void> {
  if (req.method === 'GET' || req.method === 'HEAD') return;
  await auditAccess(deps, req, { actor, action: 'auth.denied', outcome: 'denied', error: { code: 'LB_ERR_FORBIDDEN', message: why } });
}

/**
 * An audit record of who tried to get in (or start a session) and how it ended, with the
 * request's method and path. A failing audit trail does not fail the request it records.
 */
export async function auditAccess(
  deps: AccessAuditDeps,
  req: Request,
  entry: Pick<AuditEntry, 'actor' | 'action'> & { outcome: 'denied' | 'succeeded'; error?: { code: ErrorCode; message: string } },
): Promise<void> {
  const { actor, action, outcome, error } = entry;
  await deps.audit
    .append({ at: deps.clock.now().toISOString(), actor, action, outcome, inputs: { method: req.method, path: req.originalUrl.split('?')[0] }, ...(error ? { error } : {}) })
    .catch(() => undefined);
}
