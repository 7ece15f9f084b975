import type { Clock } from '../../src/operations/ports/clock';

interface Sleeper {
  until: number;
  wake(): void;
}

/**
 * A clock that moves only when the test says so: a sleeper wakes when the test has moved
 * time past its end, never because real time passed. What lifeboat waits for on its clock
 * (timeouts, backoffs, the stuck flag, polls) then happens exactly when the test decides.
 */
export class ManualClock implements Clock {
  private t: number;
  private sleepers: Sleeper[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start;
  }

  now(): Date {
    return new Date(this.t);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sleeper: Sleeper = {
        until: this.t + Math.max(0, ms),
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** Resolves once something sleeps until exactly `until` (ms since the epoch): the deadline the test means to pass is set. */
  async sleeping(until: number, timeoutMs = 10_000): Promise<void> {
    const giveUp = Date.now() + timeoutMs;
    while (!this.sleepers.some((s) => s.until === until)) {
      if (Date.now() > giveUp) throw new Error(`nothing sleeps until ${new Date(until).toISOString()}; sleepers: ${this.sleepers.map((s) => new Date(s.until).toISOString()).join(', ')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Move time forward, waking the sleepers due in order and letting what each wakes run before the next. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      const next = this.sleepers.filter((s) => s.until <= target).sort((a, b) => a.until - b.until)[0];
      if (!next) break;
      this.sleepers = this.sleepers.filter((s) => s !== next);
      this.t = Math.max(this.t, next.until);
      next.wake();
      await new Promise((r) => setImmediate(r));
    }
    this.t = target;
  }
}
