import type { Request, RequestHandler } from 'express';
import { LifeboatError } from '../core/errors';
import type { AuditLog } from '../jobs/audit-log';
import type { Clock } from '../operations/clock';
import type { Identity, Role, TokenEntry } from '../security/tokens';
import { hasRole, identify } from '../security/tokens';

export interface AuthConfig {
  tokens: readonly TokenEntry[];
  /** Development only: no token needed, every caller is an anonymous admin. */
  insecure: boolean;
}

/** The role a request needs: reads are for viewers, changes for operators, approvals for approvers. */
export function roleFor(method: string, path: string): Role {
  if (method === 'GET' || method === 'HEAD') return 'viewer';
  if (/^\/v1\/operations\/[^/]+\/approve$/.test(path)) return 'approver';
  if (/^\/v1\/models\/[^/]+\/evaluate$/.test(path)) return 'viewer';
  return 'operator';
}

/**
 * Bearer tokens on every endpoint this is mounted on, then the role the route needs. A
 * missing or unknown token is a 401, a token without the role a 403; a refused change is
 * recorded in the audit trail.
 */
export function authenticate(config: AuthConfig, deps: { audit: AuditLog; clock: Clock }): RequestHandler {
  return async (req, res, next) => {
    let identity: Identity | undefined;
    if (config.insecure) {
      identity = { name: 'anonymous', roles: ['admin'] };
    } else {
      const header = req.get('authorization');
      const match = header ? /^Bearer ([\x21-\x7e]{8,512})$/.exec(header) : null;
      identity = match ? identify(match[1]!, config.tokens) : undefined;
      if (!identity) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="lifeboat"');
        await deny(req, deps, 'api:unauthenticated', header ? 'the token is not known' : 'no token');
        next(new LifeboatError('LB_ERR_UNAUTHENTICATED', header ? 'the bearer token is not valid' : 'send Authorization: Bearer <token>'));
        return;
      }
    }
    const needed = roleFor(req.method, req.originalUrl.split('?')[0]!);
    res.locals.actor = `api:${identity.name}`;
    res.locals.identity = identity;
    if (!hasRole(identity, needed)) {
      await deny(req, deps, `api:${identity.name}`, `needs role ${needed}`);
      next(new LifeboatError('LB_ERR_FORBIDDEN', `${identity.name} does not have the ${needed} role this needs`, { needed, roles: identity.roles }));
      return;
    }
    next();
  };
}

async function deny(req: Request, deps: { audit: AuditLog; clock: Clock }, actor: string, why: string): Promise<void> {
  if (req.method === 'GET' || req.method === 'HEAD') return;
  await deps.audit
    .append({ at: deps.clock.now().toISOString(), actor, action: 'auth.denied', outcome: 'denied', inputs: { method: req.method, path: req.originalUrl.split('?')[0] }, error: { code: 'LB_ERR_FORBIDDEN', message: why } })
    .catch(() => undefined);
}
