/** Time at the edge: operations wait and timestamp through this, so tests can run it fast. */
export interface Clock {
  now(): Date;
  /**
   * Resolves after `ms`. With a signal, rejects with the signal's reason as soon as it
   * aborts, and lets go of the timer: a cancelled run does not sit out its backoff.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
