import { randomUUID } from 'node:crypto';
import { ERROR_CATALOG } from '../../core/errors';
import { FINISHED_STATES } from '../../operations/operation-types';
import type { OperationView } from '../../operations/operation-views';
import type { LifeboatClient } from './demo-client';
import { DemoFailure } from './demo-failure';
import { seconds } from './demo-printing';
import { ProgressPrinter } from './demo-progress';

const POLL_MS = 300;

export interface WatchOptions {
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
  const printer = new ProgressPrinter();
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  for (;;) {
    for (const line of printer.lines(view)) say(line);
    if (FINISHED_STATES.includes(view.state)) break;
    if (Date.now() > deadline) throw new DemoFailure(`operation ${view.id} is still ${view.state} after ${seconds(options.timeoutMs ?? 600_000)}; gave up watching it.`);
    await delay(POLL_MS, options.signal);
    view = await client.operation(view.id);
  }
  const took = view.startedAt && view.finishedAt ? ` in ${seconds(Date.parse(view.finishedAt) - Date.parse(view.startedAt))}` : '';
  if (view.state !== 'succeeded') {
    const error = view.error ? `${view.error.code}: ${view.error.message}` : 'no error recorded';
    throw new DemoFailure(`${view.kind} ${view.id} ${view.state}${took}: ${error}`, view.error ? ERROR_CATALOG[view.error.code].hint : undefined);
  }
  say(`  ${view.kind} ${view.id} succeeded${took}: ${view.result?.summary ?? 'done'}`);
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
