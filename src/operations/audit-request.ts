import type { AuditEntry, AuditLog } from './ports/audit-log';
import { redactSecrets } from './redact';
import type { Clock } from './ports/clock';
import { problemOf } from './operation-errors';

interface RequestAudit {
  actor: string;
  action: string;
  inputs?: unknown;
  operationId?: string;
  regions?: string[];
  requestId?: string;
}

/**
 * Run a state-changing use case and record it: accepted, with what the result adds (the
 * operation id, the plan's hash), or refused, with the reason. The record never blocks the
 * answer for long, but it is written before the answer goes out.
 */
export async function auditRequest<T>(
  deps: { audit: AuditLog; clock: Clock },
  request: RequestAudit,
  work: () => Promise<T>,
  accepted: (result: T) => Partial<AuditEntry> = () => ({}),
): Promise<T> {
  const base = {
    actor: request.actor,
    action: request.action,
    ...(request.inputs !== undefined ? { inputs: redactSecrets(request.inputs) } : {}),
    ...(request.operationId ? { operationId: request.operationId } : {}),
    ...(request.regions ? { regions: request.regions } : {}),
    ...(request.requestId ? { requestId: request.requestId } : {}),
  };
  try {
    const result = await work();
    await deps.audit.append({ ...base, at: deps.clock.now().toISOString(), outcome: 'accepted', ...accepted(result) });
    return result;
  } catch (e) {
    const p = problemOf(e);
    await deps.audit.append({ ...base, at: deps.clock.now().toISOString(), outcome: 'refused', error: { code: p.code, message: p.message } }).catch(() => undefined);
    throw e;
  }
}
