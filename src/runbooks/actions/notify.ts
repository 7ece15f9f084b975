import { LifeboatError } from '../../core/errors';
import { outboundPolicyOf } from '../../operations/outbound/outbound-policy';
import { postJson } from '../../operations/outbound/post-json';
import type { Action, ActionContext } from '../action-context';
import { input, invalidInput } from '../action-context';

const NOTIFY_TIMEOUT_MS = 10000;

/**
 * notify: POST a JSON message to a webhook. `text` makes it Slack-compatible; the run, the
 * step and any extra inputs travel along for other receivers.
 *
 * The webhook is reached only where LIFEBOAT_OUTBOUND_HOSTS allows (src/operations/outbound):
 * never loopback, link-local or private addresses unless listed, no redirects followed. Who
 * can read the run sees whether the call was allowed or refused and the status it got, no
 * more: not why a connection failed (a closed port and a dropped packet look alike), so a
 * run cannot be used to map the network lifeboat runs in. The log has the reasons.
 */
export const notifyAction: Action = async (ctx) => {
  const url = webhookUrl(ctx);
  const text = input(ctx, 'text', 'string');
  const { url: _url, ...fields } = ctx.inputs;
  const body = { ...fields, text, runbook: ctx.run.runbook, runId: ctx.run.id, step: ctx.step.id };
  const answer = await postJson(url, body, { policy: outboundPolicyOf(ctx.deps.settings.LIFEBOAT_OUTBOUND_HOSTS), timeoutMs: NOTIFY_TIMEOUT_MS, signal: ctx.signal, purpose: 'notify' });
  const host = url.host;
  if (answer.verdict === 'refused') {
    throw new LifeboatError('LB_ERR_OUTBOUND_REFUSED', `webhook ${host}: refused (not allowed by LIFEBOAT_OUTBOUND_HOSTS)`, { host, verdict: 'refused' });
  }
  if (answer.status === undefined) throw new LifeboatError('LB_ERR_NOTIFY_FAILED', `webhook ${host}: allowed, no answer`, { host, verdict: 'allowed' });
  if (answer.status < 200 || answer.status >= 300) throw new LifeboatError('LB_ERR_NOTIFY_FAILED', `webhook ${host}: allowed, answered ${answer.status}`, { host, verdict: 'allowed', status: answer.status });
  return { outcome: `notified ${host}: allowed, answered ${answer.status}`, outputs: { status: answer.status } };
};

/** The webhook's address: an http(s) URL, or the runbook's to fix. */
function webhookUrl(ctx: ActionContext): URL {
  const url = input(ctx, 'url', 'string');
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) throw invalidInput(ctx, 'url', `must be an http(s) URL, got ${url}`);
  return new URL(url);
}
