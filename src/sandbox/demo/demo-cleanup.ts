/**
 * What the demo started, to be stopped in reverse order: on success, on failure and on
 * Ctrl-C alike. Each task runs once, within a time limit, and a task that fails does not
 * keep the others from running.
 */
/** Returns what it did, when that says more than the task's name; false when there was nothing to do. */
type Task = () => Promise<string | false | void> | string | false | void;

interface CleanupReport {
  /** What was stopped, one line each, in the order it was. */
  done: string[];
  /** What could not be, one line each. */
  problems: string[];
}

export class CleanupStack {
  private readonly tasks: Array<{ what: string; run: Task }> = [];

  /** `what` names the task ("stop moto"). */
  add(what: string, run: Task): void {
    this.tasks.push({ what, run });
  }

  /**
   * Something still starting: it is stopped once it has started, even when cleanup begins
   * before that (Ctrl-C during start-up). Returns the start, to await.
   */
  track<T>(what: string, starting: Promise<T>, stop: (started: T) => Promise<string | void> | string | void): Promise<T> {
    this.add(what, async () => {
      const started = await starting.then(
        (t) => ({ t }),
        () => undefined,
      );
      return started ? stop(started.t) : false;
    });
    return starting;
  }

  /** Runs every task added so far, last first. */
  async runAll(timeoutMs = 10_000): Promise<CleanupReport> {
    const report: CleanupReport = { done: [], problems: [] };
    for (let task = this.tasks.pop(); task; task = this.tasks.pop()) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer after ${timeoutMs / 1000} s`)), timeoutMs);
      });
      try {
        const account = await Promise.race([Promise.resolve().then(task.run), timedOut]);
        if (account !== false) report.done.push(account || task.what);
      } catch (e) {
        report.problems.push(`could not ${task.what}: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        clearTimeout(timer);
      }
    }
    return report;
  }
}
