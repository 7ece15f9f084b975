import { createHmac, timingSafeEqual } from 'node:crypto';
import { LifeboatError } from '../core/errors';
import type { OperationView } from '../operations/operation-views';
import type { RunbookDeps } from './action-context';
import { runbookNamed } from './runbook-catalog';
import { auditRequest } from '../operations/audit-request';
import { startRun } from './start-run';

interface TriggerRequest {
  runbook: string;
  rawBody: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  /** The trigger's name, recorded as the actor `trigger:<name>`. */
  source?: string;
}

/**
 * Start a runbook from an alarm webhook. Only HMAC-SHA256-signed requests are accepted
 * (over `<timestamp>.<raw body>`, compared in constant time, at most LIFEBOAT_TRIGGER_MAX_AGE
 * old), a runbook is triggered at most once per LIFEBOAT_TRIGGER_MIN_INTERVAL, and the
 * payload is recorded with the run. Parameters come from the payload's `params`.
 */
export async function triggerRun(request: TriggerRequest, deps: RunbookDeps): Promise<OperationView> {
  const source = request.source && /^[\w.-]{1,64}$/.test(request.source) ? request.source : 'webhook';
  return auditRequest(
    deps,
    { actor: `trigger:${source}`, action: 'run.trigger', inputs: { runbook: request.runbook, bytes: request.rawBody.length } },
    () => trigger(request, source, deps),
    (view) => ({ operationId: view.id }),
  );
}

async function trigger(request: TriggerRequest, source: string, deps: RunbookDeps): Promise<OperationView> {
  const secret = deps.settings.LIFEBOAT_TRIGGER_SECRET;
  if (!secret) throw new LifeboatError('LB_ERR_TRIGGER_SIGNATURE', 'webhook triggers are off: LIFEBOAT_TRIGGER_SECRET is not set');
  verifySignature(secret, request, deps.clock.now().getTime(), deps.settings.LIFEBOAT_TRIGGER_MAX_AGE);
  runbookNamed(deps.runbooks, request.runbook);
  let payload: unknown;
  try {
    payload = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    throw new LifeboatError('LB_ERR_MALFORMED_JSON', 'the trigger body is not valid JSON');
  }
  const params = payload && typeof payload === 'object' && 'params' in payload && typeof payload.params === 'object' && payload.params ? (payload.params as Record<string, unknown>) : {};
  const claim = await deps.runbookStore.claimTrigger(request.runbook, deps.settings.LIFEBOAT_TRIGGER_MIN_INTERVAL);
  if (!claim.claimed) {
    throw new LifeboatError('LB_ERR_TRIGGER_TOO_SOON', `${request.runbook} was triggered less than ${deps.settings.LIFEBOAT_TRIGGER_MIN_INTERVAL} s ago`, { retryAfterSeconds: claim.retryAfterSeconds });
  }
  return startRun(request.runbook, params, { actor: `trigger:${source}`, trigger: { name: source, at: deps.clock.now().toISOString(), payload } }, deps);
}

export function signTrigger(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

function verifySignature(secret: string, request: TriggerRequest, nowMs: number, maxAgeSeconds: number): void {
  const { signature, timestamp } = request;
  if (!signature || !timestamp || !/^\d{9,11}$/.test(timestamp)) {
    throw new LifeboatError('LB_ERR_TRIGGER_SIGNATURE', 'X-Lifeboat-Signature and X-Lifeboat-Timestamp (unix seconds) are required');
  }
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > maxAgeSeconds) {
    throw new LifeboatError('LB_ERR_TRIGGER_SIGNATURE', `the signed timestamp is more than ${maxAgeSeconds} s away from now`);
  }
  const expected = Buffer.from(signTrigger(secret, timestamp, request.rawBody));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new LifeboatError('LB_ERR_TRIGGER_SIGNATURE', 'the signature does not match the body');
  }
}
