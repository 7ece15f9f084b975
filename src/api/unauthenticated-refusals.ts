import type { Request } from 'express';
import type { ErrorCode } from '../core/errors';
import type { AuditLog } from '../operations/ports/audit-log';
import type { Clock } from '../operations/ports/clock';

/** Why a request was refused before anyone was identified: the metric's `reason` label. */
export type UnauthenticatedReason = 'no_token' | 'unknown_token' | 'unknown_session' | 'bad_trigger_signature';

interface RefusalDeps {
  audit: AuditLog;
  clock: Clock;
  metrics: { countUnauthenticated(reason: string): void };
}

/** How often an unauthenticated refusal may be written to the audit trail. */
const AUDIT_WINDOW_MS = 60_000;

/**
 * Requests refused before anyone was identified (no token, an unknown token or session, a
 * trigger whose signature does not hold): anyone on the network can send as many as they
 * like, so each is counted (lifeboat_unauthenticated_requests_total, by reason) but the
 * audit trail gets at most one record a minute per reason and API process (of a change
 * refused; reads are only counted), saying how many were refused for that reason since the
 * last one. Refusals of identified callers (a role missing, a forged cookie) are
 * still each recorded: someone answers for those.
 */
export class UnauthenticatedRefusals {
  /** Per reason: when one was last audited, and how many were refused since. */
  private readonly windows = new Map<UnauthenticatedReason, { lastAuditAt?: number; refused: number }>();

  constructor(private readonly deps: RefusalDeps) {}

  async record(req: Request, reason: UnauthenticatedReason, error: { code: ErrorCode; message: string }, action = 'auth.denied'): Promise<void> {
    this.deps.metrics.countUnauthenticated(reason);
    const window = this.windows.get(reason) ?? { refused: 0 };
    this.windows.set(reason, window);
    window.refused++;
    // Reads change nothing: they are counted, never audited (as refused reads of identified callers are not).
    if (req.method === 'GET' || req.method === 'HEAD') return;
    const now = this.deps.clock.now();
    if (window.lastAuditAt !== undefined && now.getTime() - window.lastAuditAt < AUDIT_WINDOW_MS) return;
    const refused = window.refused;
    window.lastAuditAt = now.getTime();
    window.refused = 0;
    await this.deps.audit
      .append({
        at: now.toISOString(),
        actor: 'api:unauthenticated',
        action,
        outcome: 'denied',
        inputs: { method: req.method, path: req.originalUrl.split('?')[0], reason, refusedSinceLastRecord: refused },
        error,
      })
      .catch(() => undefined);
  }
}
