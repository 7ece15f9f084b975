/**
 * The answer of work, or an error once ms have passed without one. The timer is cleared as
 * soon as the race is decided, and does not keep the process alive meanwhile.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms);
    timer.unref();
  });
  // The late answer (or error) of work that lost the race is not wanted.
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
