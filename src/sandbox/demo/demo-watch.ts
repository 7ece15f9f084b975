import { randomUUID } from 'node:crypto';
import { ERROR_CATALOG } from '../../core/errors';
import { FINISHED_STATES } from '../../operations/operation-types';
import type { OperationView } from '../../operations/operation-views';
import { closingLines } from '../../text/operation-text';
import { ProgressNews } from '../../text/progress-news';
import { duration } from '../../text/units';
import type { LifeboatClient } from './demo-client';
import { DemoFailure } from './demo-failure';

const POLL_MS = 300;

interface WatchOptions {
  /** Give up watching after this long (default 10 minutes). */
  timeoutMs?: number;
  /** Stop early (Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * Submit an operation (POST /v1/operations with an Idempotency-Key), then follow it
 * (GET /v1/operations/:id every 300 ms), printing what changes, until it finishes.
 * Resolves with the operation when it succeeded; a DemoFailure otherwise.
 */
export async function submitAndWatch(client: LifeboatClient, request: Record<string, unknown>, say: (line: string) => void, options: WatchOptions = {}): Promise<OperationView> {
  const idempotencyKey = `demo-${randomUUID()}`;
  let view = await client.submit(request, idempotencyKey);
  say(`  submitted ${view.id} (Idempotency-Key: ${idempotencyKey})`);
  // Laid out as `npx lifeboat <command> --wait` lays it out: the same marks, bars and weights.
  const news = new ProgressNews({ layout: 'nested', indent: '  ' });
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  for (;;) {
    for (const line of news.lines(view, Date.now())) say(line.text);
    if (FINISHED_STATES.includes(view.state)) break;
    if (Date.now() > deadline) throw new DemoFailure(`operation ${view.id} is still ${view.state} after ${duration(options.timeoutMs ?? 600_000)}; gave up watching it.`);
    await delay(POLL_MS, options.signal);
    view = await client.operation(view.id);
  }
  const [closing, ...outputs] = closingLines(view);
  if (view.state !== 'succeeded') {
    const error = view.error ? `${view.error.code}: ${view.error.message}` : 'no error recorded';
    throw new DemoFailure(`${closing}: ${error}`, view.error ? ERROR_CATALOG[view.error.code].hint : undefined);
  }
  for (const line of [closing, ...outputs]) say(`  ${line}`);
  return view;
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DemoFailure('interrupted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DemoFailure('interrupted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
