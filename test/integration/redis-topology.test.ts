import IORedis from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { sharedRedisTopology } from '../../src/redis/redis-topology';
import { testSettings } from '../support/harness';

// Real Redis (REDIS_URL); the spy only counts the INFO questions the topology asks.
describe('Redis topology for GET /v1/status', () => {
  const redis = new IORedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  afterAll(() => redis.quit());

  it('asks Redis once for a burst of status requests, and again once the shared answer is older than its time', async () => {
    await redis.ping(); // ioredis asks INFO itself while it connects: count only what comes after
    const info = vi.spyOn(redis, 'info');
    let clock = 0;
    const topology = sharedRedisTopology(redis, testSettings(), 2000, () => clock);

    const burst = await Promise.all(Array.from({ length: 20 }, () => topology()));
    expect(burst[0]).toMatchObject({ mode: 'standalone', connection: 'ready', role: 'master' });
    expect(new Set(burst).size).toBe(1);
    expect(info).toHaveBeenCalledTimes(1);

    clock = 1999;
    await topology();
    expect(info).toHaveBeenCalledTimes(1);

    clock = 2000;
    expect(await topology()).toMatchObject({ role: 'master' });
    expect(info).toHaveBeenCalledTimes(2);
  });
});
