/** One wait() in progress: `now` turns true when it is told to stop; `wake` cuts its pause short. */
export interface Watch {
  now: boolean;
  wake?: (() => void) | undefined;
}

/**
 * The wait()s in progress, so that Ctrl+C in the REPL (stopWatching) ends every one of them
 * at once, whether it is sleeping between two polls or reading. Only the watching stops:
 * the operations go on.
 */
export class Watches {
  private readonly active = new Set<Watch>();

  begin(): Watch {
    const watch: Watch = { now: false };
    this.active.add(watch);
    return watch;
  }

  end(watch: Watch): void {
    this.active.delete(watch);
  }

  /** Sleep between two polls: `ms`, or less when stopAll() comes first. */
  pause(ms: number, watch: Watch): Promise<void> {
    if (watch.now) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        watch.wake = undefined;
        resolve();
      }, ms);
      watch.wake = () => {
        clearTimeout(timer);
        watch.wake = undefined;
        resolve();
      };
    });
  }

  /** Tell every watch to stop; how many there were. */
  stopAll(): number {
    for (const watch of this.active) {
      watch.now = true;
      watch.wake?.();
    }
    return this.active.size;
  }
}
