import { LifeboatError } from '../../core/errors';
import type { Action, ActionContext } from '../action-context';
import { input, invalidInput } from '../action-context';

const NOTIFY_TIMEOUT_MS = 10000;

/**
 * notify: POST a JSON message to a webhook. `text` makes it Slack-compatible; the run, the
 * step and any extra inputs travel along for other receivers.
 */
export const notifyAction: Action = async (ctx) => {
  const url = webhookUrl(ctx);
  const text = input(ctx, 'text', 'string');
  const { url: _url, ...fields } = ctx.inputs;
  const body = { ...fields, text, runbook: ctx.run.runbook, runId: ctx.run.id, step: ctx.step.id };
  let status: number;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'lifeboat' },
      body: JSON.stringify(body),
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(NOTIFY_TIMEOUT_MS)]),
    });
    status = res.status;
    await res.arrayBuffer();
  } catch (e) {
    throw new LifeboatError('LB_ERR_NOTIFY_FAILED', `webhook ${url.host} did not answer: ${(e as Error).message}`, { host: url.host });
  }
  if (status < 200 || status >= 300) throw new LifeboatError('LB_ERR_NOTIFY_FAILED', `webhook ${url.host} answered ${status}`, { host: url.host, status });
  return { outcome: `notified ${url.host} (${status})`, outputs: { status } };
};

/** The webhook's address: an http(s) URL, or the runbook's to fix. */
function webhookUrl(ctx: ActionContext): URL {
  const url = input(ctx, 'url', 'string');
  if (!/^https?:\/\//.test(url) || !URL.canParse(url)) throw invalidInput(ctx, 'url', `must be an http(s) URL, got ${url}`);
  return new URL(url);
}
