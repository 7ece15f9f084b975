/**
 * Waits for something to happen instead of sleeping a fixed time: polls `probe` until it returns
 * a value other than undefined or false, and returns that value. The deadline is generous on
 * purpose: it only guards against hanging, it is not a bound anything is expected to meet.
 */
export async function eventually<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, { timeoutMs = 30_000, everyMs = 25 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
