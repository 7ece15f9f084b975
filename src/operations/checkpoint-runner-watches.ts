import type { Clock } from './ports/clock';

/**
 * What a running step watches for, all on the injected clock so a test's clock drives them:
 * a cancel request, its attempt's deadline, the point where it counts as stuck.
 */

/** A step stopped because the run was cancelled: a safe point. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted by a cancel request');
    this.name = 'Interrupted';
  }
}

/**
 * The worker let go of the run at a safe point: it is stopping (SIGTERM, a deploy), and
 * hands the run back to the queue for another worker; or it lost the job (its lock lapsed,
 * or Redis lost it), and must not touch the run again.
 */
export class RunStopped extends Error {
  constructor(readonly why: 'stopping' | 'lost') {
    super(why === 'stopping' ? 'the worker is stopping: the run is handed over' : 'the worker lost the job');
    this.name = 'RunStopped';
  }
}

/** An attempt ran past its step's timeout. */
export class StepTimedOut extends Error {
  constructor() {
    super('the step ran out of time');
    this.name = 'StepTimedOut';
  }
}

/**
 * Sleep on the clock, ending early (rejecting with the signal's reason) when the signal
 * aborts, even with a clock that does not listen to signals.
 */
export function sleepUnlessAborted(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return unlessAborted(clock.sleep(Math.max(0, ms), signal), signal);
}

/** The work's result, or the signal's reason as soon as it aborts (the work is then abandoned). */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      work.catch(() => undefined);
      return reject(signal.reason);
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Run `tick` every `ms` on the clock until `stop` aborts; a failing tick is tried again next time. */
export function repeatOnClock(clock: Clock, ms: number, stop: AbortSignal, tick: () => Promise<unknown>): void {
  void (async () => {
    for (;;) {
      const slept = await sleepUnlessAborted(clock, ms, stop).then(
        () => true,
        () => false,
      );
      if (!slept) return;
      await tick().catch(() => undefined);
    }
  })();
}

/** A signal that aborts with Interrupted once `cancelRequested` says so, looked at every `pollMs`, until `stop`. */
export function watchForCancel(clock: Clock, pollMs: number, stop: AbortSignal, cancelRequested: () => Promise<boolean>): AbortSignal {
  const cancel = new AbortController();
  const watch = new AbortController();
  stop.addEventListener('abort', () => watch.abort(), { once: true });
  repeatOnClock(clock, pollMs, watch.signal, async () => {
    if (!stop.aborted && (await cancelRequested())) {
      cancel.abort(new Interrupted());
      watch.abort();
    }
  });
  return cancel.signal;
}

/** A signal that aborts with StepTimedOut at `deadline` (ms since the epoch, on the clock), unless `stop` comes first. */
export function watchForDeadline(clock: Clock, deadline: number, stop: AbortSignal): AbortSignal {
  const timeout = new AbortController();
  atTime(clock, deadline, stop, () => timeout.abort(new StepTimedOut()));
  return timeout.signal;
}

/** Call `then` at `at` (ms since the epoch, on the clock), unless `stop` comes first. */
export function atTime(clock: Clock, at: number, stop: AbortSignal, then: () => void): void {
  sleepUnlessAborted(clock, at - clock.now().getTime(), stop).then(then, () => undefined);
}
