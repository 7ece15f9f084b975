/**
 * The wait()s in progress, so that Ctrl+C in the REPL (stopWatching) ends every one of them
 * at once. Only the watching stops: the operations go on.
 */
export class Watches {
  private readonly stops = new Set<() => void>();

  /** Sleep between two polls: `ms`, or less when stopAll() comes first, which sets `stopped.now`. */
  pause(ms: number, stopped: { now: boolean }): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stops.delete(stop);
        resolve();
      };
      const stop = () => {
        stopped.now = true;
        done();
      };
      const timer = setTimeout(done, ms);
      this.stops.add(stop);
    });
  }

  stopAll(): void {
    for (const stop of [...this.stops]) stop();
  }
}
