import { LifeboatError } from '../../core/errors';
import type { Action } from '../action-context';
import { input } from '../action-context';

const NOTIFY_TIMEOUT_MS = 10000;

/**
 * notify: POST a JSON message to a webhook. `text` makes it Slack-compatible; the run, the
 * step and any extra inputs travel along for other receivers.
 */
export const notifyAction: Action = async (ctx) => {
  const url = input(ctx, 'url', 'string');
  const text = input(ctx, 'text', 'string');
  if (!/^https?:\/\//.test(url)) throw new TypeError(`step ${ctx.step.id}: url must be http(s), got ${url}`);
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
    throw new LifeboatError('LB_ERR_NOTIFY_FAILED', `webhook ${new URL(url).host} did not answer: ${(e as Error).message}`, { host: new URL(url).host });
  }
  if (status < 200 || status >= 300) throw new LifeboatError('LB_ERR_NOTIFY_FAILED', `webhook ${new URL(url).host} answered ${status}`, { host: new URL(url).host, status });
  return { outcome: `notified ${new URL(url).host} (${status})`, outputs: { status } };
};
