import type { Redis } from 'ioredis';
import type { AwsService, BucketLimits, CallLimiter, MonotonicClock, RateLimits } from '../cloud/aws/rate-limiter';
import { TokenBuckets, bucketKey, resolveRateLimits, monotonicClock } from '../cloud/aws/rate-limiter';

/**
 * The AWS quota buckets kept in Redis, so that every lifeboat process (the API, the REPL,
 * each worker) draws on one bucket per quota, as AWS counts it: two workers prescaling at
 * once then stay under Auto Scaling's rate together, not each on its own.
 *
 * Each take is one round trip that reserves a slot (the generic cell rate algorithm): the
 * key holds the time the bucket is next empty-handed, a call may go `burst - 1` intervals
 * before that, and the script answers how long to wait. Callers are served in the order
 * Redis sees them, across processes, with no polling. Time is Redis's own, so the clocks
 * of the machines the processes run on do not matter.
 *
 * If Redis does not answer quickly, the call draws on this process's own buckets instead:
 * rate limiting must never be what stops an evacuation.
 */
const RESERVE_SLOT = `
local interval = tonumber(ARGV[1])
local tolerance = (tonumber(ARGV[2]) - 1) * interval
local now = tonumber(ARGV[3])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local emptyAt = tonumber(redis.call('GET', KEYS[1])) or now
if emptyAt < now then emptyAt = now end
local wait = emptyAt - tolerance - now
if wait < 0 then wait = 0 end
local nextEmptyAt = emptyAt + interval
redis.call('SET', KEYS[1], string.format('%.3f', nextEmptyAt), 'PX', math.ceil(nextEmptyAt - now) + 1000)
return string.format('%.3f', wait)
`;

interface RedisTokenBucketsOptions {
  /** Key prefix (LIFEBOAT_REDIS_PREFIX): deployments that share a Redis keep their own buckets. */
  prefix: string;
  limits?: RateLimits;
  /** How long to wait for Redis before drawing on this process's own buckets. Default 500 ms. */
  fallbackAfterMs?: number;
  /** After falling back, how long calls use this process's buckets before trying Redis again. Default 5000 ms. */
  retryRedisAfterMs?: number;
  /** Told once per outage when the limiter falls back to this process's buckets. */
  onFallback?: (error: unknown) => void;
  /** Sleeping, and (tests only) a clock to use instead of Redis's time. */
  clock?: MonotonicClock;
  useClockForTime?: boolean;
}

export class RedisTokenBuckets implements CallLimiter {
  private readonly limits: Record<AwsService, Required<BucketLimits>>;
  private readonly local: TokenBuckets;
  private readonly clock: MonotonicClock;
  /** While Redis is away: until when calls skip it (epoch ms), so each does not wait for it again. */
  private skipRedisUntil = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisTokenBucketsOptions,
  ) {
    this.limits = resolveRateLimits(options.limits);
    this.clock = options.clock ?? monotonicClock;
    this.local = new TokenBuckets(options.limits, this.clock);
  }

  async take(service: AwsService, region: string, account?: string): Promise<void> {
    if (Date.now() < this.skipRedisUntil) return this.local.take(service, region, account);
    let waitMs: number;
    try {
      waitMs = await this.reserve(service, region, account);
    } catch (error) {
      if (this.skipRedisUntil === 0) this.options.onFallback?.(error);
      this.skipRedisUntil = Date.now() + (this.options.retryRedisAfterMs ?? 5000);
      return this.local.take(service, region, account);
    }
    this.skipRedisUntil = 0;
    if (waitMs > 0) await this.clock.sleep(waitMs);
  }

  /** Reserves the next slot in the shared bucket; how many milliseconds until it comes. */
  private async reserve(service: AwsService, region: string, account?: string): Promise<number> {
    const limits = this.limits[service];
    const key = `${this.options.prefix}:aws-quota:${bucketKey(limits, service, region, account)}`;
    const now = this.options.useClockForTime ? String(this.clock.now()) : '';
    const answer = this.redis.eval(RESERVE_SLOT, 1, key, String(1000 / limits.refillPerSecond), String(limits.burst), now);
    let timer: NodeJS.Timeout | undefined;
    // The timer is checked only after the event loop has also read the sockets (setImmediate runs
    // after the poll phase): when this process stalls longer than the limit, the timer and Redis's
    // answer are both due, and the answer must win. Otherwise every stall of a busy process would
    // fall back to its own full buckets and burst past the quota the processes share.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => setImmediate(() => reject(new Error('Redis did not answer the rate limiter in time'))), this.options.fallbackAfterMs ?? 500);
    });
    try {
      return Math.ceil(Number(await Promise.race([answer, timeout])));
    } finally {
      clearTimeout(timer);
    }
  }
}
