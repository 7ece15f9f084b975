import IORedis from 'ioredis';
import type { Redis } from 'ioredis';

/** Delete every key matching a glob pattern, a SCAN page at a time (KEYS would block Redis). */
export async function deleteKeysMatching(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** vitest global setup: at the end of the run, delete every key the run's tests left in Redis. */
export default function setup(): () => Promise<void> {
  return async () => {
    const run = process.env.LIFEBOAT_TEST_RUN;
    if (!run) return;
    const redis = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1, lazyConnect: true });
    try {
      await redis.connect();
      await deleteKeysMatching(redis, `lbtest-${run}-*`);
    } catch (e) {
      // Redis gone at the end of the run: nothing to clean up in it, and no reason to fail the run.
      process.stderr.write(`redis-cleanup: ${e instanceof Error ? e.message : String(e)}\n`);
    } finally {
      redis.disconnect();
    }
  };
}
