import IORedis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { MonotonicClock as Clock } from '../../src/cloud/aws/rate-limiter';
import { RedisTokenBuckets } from '../../src/redis/redis-token-buckets';
import { deleteKeysMatching } from '../support/redis-cleanup';
import { testPrefix } from '../support/test-prefix';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: 1 });
const prefixes: string[] = [];

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeysMatching(redis, `${prefix}:*`);
  redis.disconnect();
});

/** Time stands still; every wait a take asks for is written down instead of slept. */
function frozenClock(at = 1_000_000) {
  const waits: number[] = [];
  const clock: Clock = {
    now: () => at,
    sleep: async (ms) => {
      waits.push(ms);
    },
  };
  return { clock, waits };
}

function newPrefix() {
  const prefix = testPrefix('limiter-');
  prefixes.push(prefix);
  return prefix;
}

describe('AWS quota buckets shared through Redis', () => {
  it('makes two workers draw on one bucket: after the burst, each call waits one more refill interval, whichever worker makes it', async () => {
    const prefix = newPrefix();
    const { clock, waits } = frozenClock();
    const limits = { autoscaling: { burst: 2, refillPerSecond: 10 } };
    const workerA = new RedisTokenBuckets(redis, { prefix, limits, clock, useClockForTime: true });
    const workerB = new RedisTokenBuckets(redis, { prefix, limits, clock, useClockForTime: true });
    for (const worker of [workerA, workerB, workerA, workerB, workerA, workerB]) await worker.take('autoscaling', 'us-east-1');
    // Burst 2 goes at once; at 10 tokens a second the 3rd to 6th calls go 100, 200, 300, 400 ms later.
    expect(waits).toEqual([100, 200, 300, 400]);
  });

  it('keeps one bucket per region for a regional quota and one for the account for Route 53', async () => {
    const prefix = newPrefix();
    const { clock, waits } = frozenClock();
    const limits = { autoscaling: { burst: 1, refillPerSecond: 10 }, route53: { burst: 1, refillPerSecond: 5 } };
    const limiter = new RedisTokenBuckets(redis, { prefix, limits, clock, useClockForTime: true });
    await limiter.take('autoscaling', 'us-east-1');
    await limiter.take('autoscaling', 'us-west-2');
    expect(waits).toEqual([]);
    await limiter.take('route53', 'us-east-1');
    await limiter.take('route53', 'us-west-2');
    // Route 53 at 5 a second: the second call, from whichever region, waits 200 ms.
    expect(waits).toEqual([200]);
  });

  it('refills with time: a bucket left alone for a second holds its burst again', async () => {
    const prefix = newPrefix();
    let now = 1_000_000;
    const waits: number[] = [];
    const clock: Clock = { now: () => now, sleep: async (ms) => void waits.push(ms) };
    const limiter = new RedisTokenBuckets(redis, { prefix, limits: { ec2: { burst: 3, refillPerSecond: 10 } }, clock, useClockForTime: true });
    for (let i = 0; i < 4; i++) await limiter.take('ec2', 'eu-west-1');
    expect(waits).toEqual([100]);
    now += 1000;
    for (let i = 0; i < 3; i++) await limiter.take('ec2', 'eu-west-1');
    expect(waits).toEqual([100]);
  });

  it('uses Redis’s own clock by default, so the machines’ clocks do not matter', async () => {
    const prefix = newPrefix();
    // A clock a day behind: if it were used, the bucket would look empty for a day.
    const { clock, waits } = frozenClock(Date.now() - 86_400_000);
    const limiter = new RedisTokenBuckets(redis, { prefix, limits: { autoscaling: { burst: 2, refillPerSecond: 5 } }, clock });
    await limiter.take('autoscaling', 'us-east-1');
    await limiter.take('autoscaling', 'us-east-1');
    await limiter.take('autoscaling', 'us-east-1');
    expect(waits).toHaveLength(1);
    // At most one refill interval (200 ms), less whatever Redis's clock moved between calls.
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits[0]).toBeLessThanOrEqual(200);
  });

  it('falls back to this process’s own buckets when Redis does not answer, and says so once', async () => {
    // Nothing listens on port 1; with an offline queue the command just waits for a connection.
    const silent = new IORedis('redis://127.0.0.1:1', { maxRetriesPerRequest: null, retryStrategy: () => 50, lazyConnect: true });
    silent.on('error', () => undefined);
    const { clock, waits } = frozenClock();
    const told: unknown[] = [];
    const limiter = new RedisTokenBuckets(silent, {
      prefix: newPrefix(),
      limits: { autoscaling: { burst: 2, refillPerSecond: 1000 } },
      clock,
      fallbackAfterMs: 50,
      onFallback: (e) => told.push(e),
    });
    try {
      await limiter.take('autoscaling', 'us-east-1');
      await limiter.take('autoscaling', 'us-east-1');
      expect(told).toHaveLength(1);
      expect(waits).toEqual([]);
    } finally {
      silent.disconnect();
    }
  });
});

describe('AWS quota buckets shared through Redis: a busy process', () => {
  it('keeps to the shared bucket when its own event loop stalls past the fallback limit while Redis has answered', async () => {
    await redis.ping();
    const fallbacks: unknown[] = [];
    const limiter = new RedisTokenBuckets(redis, { prefix: newPrefix(), fallbackAfterMs: 50, onFallback: (e) => fallbacks.push(e) });
    const taken = limiter.take('autoscaling', 'us-east-1');
    // The process is busy for four times the limit: Redis's answer and the timer are both due when it looks again.
    const busyUntil = Date.now() + 200;
    while (Date.now() < busyUntil) {
      /* a stall, as a loaded process has them */
    }
    await taken;
    expect(fallbacks).toEqual([]);
  });
});
