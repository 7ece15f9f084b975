/** Runs tasks that share a key one after another (tasks with different keys run side by side). */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Resolves once every task queued so far under a key starting with `prefix` has finished. */
  async idle(prefix: string): Promise<void> {
    await Promise.all([...this.tails.entries()].filter(([k]) => k.startsWith(prefix)).map(([, tail]) => tail));
  }
}
