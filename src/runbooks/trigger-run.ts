import { timingSafeEqual } from 'node:crypto';
import { LifeboatError } from '../core/errors';
import type { OperationView } from '../operations/operation-views';
import type { Settings } from '../operations/settings';
import { signTrigger, TRIGGER_ID_PATTERN, triggerPath } from '../operations/trigger-signature';
import type { RunbookDeps } from './action-context';
import { runbookNamed } from './runbook-catalog';
import { auditRequest } from '../operations/audit-request';
import { checkRunParams, startRun } from './start-run';

interface TriggerRequest {
  runbook: string;
  method: string;
  rawBody: Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  /** X-Lifeboat-Trigger-Id: each signed request is accepted once. */
  triggerId: string | undefined;
  /** The trigger's name, recorded as the actor `trigger:<name>`. */
  source?: string;
}

/**
 * Start a runbook from an alarm webhook. Only signed requests are accepted (the signing
 * string, over the method, the path, the timestamp, the trigger id and the raw body, is in
 * src/operations/trigger-signature.ts), compared in constant time, at most
 * LIFEBOAT_TRIGGER_MAX_AGE old, each trigger id once. Parameters come from the payload's
 * `params` and are checked before anything is claimed: a bad request neither uses up its
 * trigger id nor holds the runbook's LIFEBOAT_TRIGGER_MIN_INTERVAL against the alarms after
 * it. The payload is recorded with the run.
 *
 * A request whose signature does not hold is refused here without an audit record: anyone
 * can send one, and the API counts and samples those (src/api/routes/runbooks.ts) instead of
 * letting them fill the audit trail. Every signed request is audited.
 */
export async function triggerRun(request: TriggerRequest, deps: RunbookDeps): Promise<OperationView> {
  const triggerId = verifyTriggerSignature(request, deps.settings, deps.clock.now().getTime());
  const source = request.source && /^[\w.-]{1,64}$/.test(request.source) ? request.source : 'webhook';
  return auditRequest(
    deps,
    { actor: `trigger:${source}`, action: 'run.trigger', inputs: { runbook: request.runbook, triggerId, bytes: request.rawBody.length } },
    () => trigger(request, triggerId, source, deps),
    (view) => ({ operationId: view.id }),
  );
}

async function trigger(request: TriggerRequest, triggerId: string, source: string, deps: RunbookDeps): Promise<OperationView> {
  const settings = deps.settings;
  const runbook = runbookNamed(deps.runbooks, request.runbook);
  let payload: unknown;
  try {
    payload = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    throw new LifeboatError('LB_ERR_MALFORMED_JSON', 'the trigger body is not valid JSON');
  }
  const params = payload && typeof payload === 'object' && 'params' in payload && typeof payload.params === 'object' && payload.params ? (payload.params as Record<string, unknown>) : {};
  checkRunParams(runbook, params, settings.LIFEBOAT_REGIONS);
  // An id must be remembered as long as a request carrying it could still be on time: its timestamp may be up to MAX_AGE ahead or behind.
  const fresh = await deps.runbookStore.claimTriggerId(triggerId, 2 * settings.LIFEBOAT_TRIGGER_MAX_AGE + 60);
  if (!fresh) throw new LifeboatError('LB_ERR_TRIGGER_REPLAYED', `trigger id ${triggerId} has been used already`, { triggerId });
  const claim = await deps.runbookStore.claimTrigger(request.runbook, settings.LIFEBOAT_TRIGGER_MIN_INTERVAL);
  if (!claim.claimed) {
    throw new LifeboatError('LB_ERR_TRIGGER_TOO_SOON', `${request.runbook} was triggered less than ${settings.LIFEBOAT_TRIGGER_MIN_INTERVAL} s ago`, { retryAfterSeconds: claim.retryAfterSeconds });
  }
  return startRun(request.runbook, params, { actor: `trigger:${source}`, trigger: { name: source, id: triggerId, at: deps.clock.now().toISOString(), payload } }, deps);
}

/**
 * The trigger id of a request whose signature holds; LB_ERR_TRIGGER_SIGNATURE otherwise
 * (triggers off, headers missing, too old or too new, or a signature over anything else:
 * another runbook's path, another body, the old `<timestamp>.<body>` form).
 */
export function verifyTriggerSignature(request: TriggerRequest, settings: Pick<Settings, 'LIFEBOAT_TRIGGER_SECRET' | 'LIFEBOAT_TRIGGER_MAX_AGE'>, nowMs: number): string {
  const secret = settings.LIFEBOAT_TRIGGER_SECRET;
  if (!secret) throw new LifeboatError('LB_ERR_TRIGGER_SIGNATURE', 'webhook triggers are off: LIFEBOAT_TRIGGER_SECRET is not set');
  const { signature, timestamp, triggerId } = request;
  if (!signature || !timestamp || !/^\d{9,11}$/.test(timestamp)) {
    throw new LifeboatError('LB_ERR_TRIGGER_SIGNATURE', 'X-Lifeboat-Signature, X-Lifeboat-Timestamp (unix seconds) and X-Lifeboat-Trigger-Id are required');
  }
  if (!triggerId || !TRIGGER_ID_PATTERN.test(triggerId)) {
    throw new LifeboatError('LB_ERR_TRIGGER_SIGNATURE', 'X-Lifeboat-Trigger-Id is required: 8 to 128 of A-Z a-z 0-9 _ . : -, new for every trigger (a UUID will do)');
  }
  const maxAge = settings.LIFEBOAT_TRIGGER_MAX_AGE;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > maxAge) {
    throw new LifeboatError('LB_ERR_TRIGGER_SIGNATURE', `the signed timestamp is more than ${maxAge} s away from now`);
  }
  const path = triggerPath(request.runbook);
  const expected = Buffer.from(signTrigger(secret, { method: request.method, path, timestamp, triggerId, body: request.rawBody }));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new LifeboatError('LB_ERR_TRIGGER_SIGNATURE', `the signature does not match: sign "${request.method.toUpperCase()}\\n${path}\\n<timestamp>\\n<trigger id>\\n<raw body>" (docs/runbooks.md)`);
  }
  return triggerId;
}
