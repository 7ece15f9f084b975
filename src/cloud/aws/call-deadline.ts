import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A deadline for every AWS call made within a piece of work: the plan path reads the fleet
 * with a few seconds to spare per region, while an operation's steps keep the SDK's full
 * patience (AWS_MAX_ATTEMPTS attempts of LIFEBOAT_AWS_REQUEST_TIMEOUT_MS). The clients
 * (aws-clients.ts) pass the deadline's signal to the SDK: the HTTP request is abandoned,
 * no retry starts after it, and no token is waited for past it.
 */
const deadlines = new AsyncLocalStorage<AbortSignal>();

/** The deadline of the work this call belongs to, if it has one. */
export function currentCallDeadline(): AbortSignal | undefined {
  return deadlines.getStore();
}

/** A call that did not answer within its work's deadline. */
export class CallDeadlineExceeded extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'CallDeadlineExceeded';
  }
}

/** Run `work` with every AWS call in it cut off `ms` from now; rejects with CallDeadlineExceeded at the deadline. */
export function withCallDeadline<T>(ms: number, work: () => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CallDeadlineExceeded(ms));
    signal.addEventListener('abort', onAbort, { once: true });
    deadlines
      .run(signal, work)
      .then(resolve, (e: unknown) => reject(signal.aborted ? new CallDeadlineExceeded(ms) : e))
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Resolves with `work`, or rejects as soon as `signal` aborts (the work is abandoned). */
export function raceSignal<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new Error('aborted: the call deadline has passed'));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted: the call deadline has passed'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
