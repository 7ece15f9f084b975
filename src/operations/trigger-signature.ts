import { createHmac, randomUUID } from 'node:crypto';

/**
 * How an alarm webhook signs POST /v1/runbooks/:name/trigger (checked in
 * src/runbooks/trigger-run.ts; the CLI's `runbook trigger` signs with it too):
 *
 *   X-Lifeboat-Timestamp:  Unix seconds
 *   X-Lifeboat-Trigger-Id: 8 to 128 of A-Z a-z 0-9 _ . : -, new for every trigger (a UUID)
 *   X-Lifeboat-Signature:  sha256=<hex HMAC-SHA256, keyed with LIFEBOAT_TRIGGER_SECRET, of>
 *
 *     POST\n/v1/runbooks/<name>/trigger\n<timestamp>\n<trigger id>\n<raw body>
 *
 * The method and the path bind the signature to the runbook it starts (a captured
 * restore-region alarm cannot start evacuate-region); the trigger id makes each signed
 * request usable once; the timestamp bounds how long lifeboat must remember the id.
 */

export const TRIGGER_ID_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;

/** The path a trigger for `runbook` is signed for (and sent to). */
export function triggerPath(runbook: string): string {
  return `/v1/runbooks/${encodeURIComponent(runbook)}/trigger`;
}

interface SignedParts {
  method: string;
  /** triggerPath(runbook). */
  path: string;
  timestamp: string;
  triggerId: string;
  body: string | Buffer;
}

/** The X-Lifeboat-Signature value for a request. */
export function signTrigger(secret: string, parts: SignedParts): string {
  const head = `${parts.method.toUpperCase()}\n${parts.path}\n${parts.timestamp}\n${parts.triggerId}\n`;
  return `sha256=${createHmac('sha256', secret).update(head).update(parts.body).digest('hex')}`;
}

/** A new trigger id. */
export function newTriggerId(): string {
  return randomUUID();
}

/** Everything a sender puts on a trigger request: the headers and the body they sign. */
export function signedTriggerRequest(secret: string, runbook: string, body: string, nowMs: number): { path: string; body: string; headers: Record<string, string> } {
  const path = triggerPath(runbook);
  const timestamp = String(Math.floor(nowMs / 1000));
  const triggerId = newTriggerId();
  return {
    path,
    body,
    headers: {
      'content-type': 'application/json',
      'x-lifeboat-timestamp': timestamp,
      'x-lifeboat-trigger-id': triggerId,
      'x-lifeboat-signature': signTrigger(secret, { method: 'POST', path, timestamp, triggerId, body }),
    },
  };
}
