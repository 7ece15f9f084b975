/**
 * Client-side rate limiting for AWS calls: one token bucket per (service, region), or one
 * per service for an account-wide API such as Route 53. Every attempt (the SDK's retries
 * included) takes a token first, so lifeboat stays under the API's rate even while AWS is
 * already throttling it. Waiters are served first come, first served.
 */

export type AwsService = 'autoscaling' | 'ec2' | 'route53' | 'cloudwatch-metrics' | 'cloudwatch-alarms';

export interface BucketLimits {
  /** Tokens the bucket holds when full: how many calls may go at once after a quiet spell. */
  burst: number;
  /** Tokens added per second: the sustained call rate. */
  refillPerSecond: number;
  /** 'region': one bucket per region; 'account': one bucket for the service, whatever the region. */
  scope?: 'region' | 'account';
}

export type RateLimits = Partial<Record<AwsService, Partial<BucketLimits>>>;

/** Waits for a token before each AWS attempt: this process's buckets, or buckets shared through Redis. */
export interface CallLimiter {
  /**
   * Resolves once a token for this service and region is available (and taken). AWS counts
   * its quotas per account: calls into another account (LIFEBOAT_ACCOUNTS) draw on its own buckets.
   */
  take(service: AwsService, region: string, account?: string): Promise<void>;
}

/** Route 53 limits the whole account; the others are per region. */
export const DEFAULT_RATE_LIMITS: Record<AwsService, Required<BucketLimits>> = {
  route53: { burst: 50, refillPerSecond: 10, scope: 'account' },
  autoscaling: { burst: 20, refillPerSecond: 5, scope: 'region' },
  ec2: { burst: 100, refillPerSecond: 20, scope: 'region' },
  // GetMetricData (the load lifeboat sizes from): AWS allows 50 a second per region; a fleet read makes one per 500 metrics.
  'cloudwatch-metrics': { burst: 20, refillPerSecond: 10, scope: 'region' },
  // The region switches' alarms and metric (PutMetricAlarm, DescribeAlarms, PutMetricData, SetAlarmState): a few calls per switch.
  'cloudwatch-alarms': { burst: 20, refillPerSecond: 5, scope: 'region' },
};

export interface MonotonicClock {
  /** Milliseconds, monotonic enough for refilling. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const monotonicClock: MonotonicClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Rounding slack so that a bucket refilled for exactly the computed wait counts as holding a token. */
const EPSILON = 1e-9;

class TokenBucket {
  private tokens: number;
  private refilledAt: number;
  private readonly waiters: Array<() => void> = [];
  private pumping = false;

  constructor(
    private readonly limits: Required<BucketLimits>,
    private readonly clock: MonotonicClock,
  ) {
    this.tokens = limits.burst;
    this.refilledAt = clock.now();
  }

  take(): Promise<void> {
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1 - EPSILON) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      if (!this.pumping) void this.pump();
    });
  }

  /** Hands out tokens to waiters in arrival order as the bucket refills; one pump per bucket. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.waiters.length > 0) {
        this.refill();
        while (this.waiters.length > 0 && this.tokens >= 1 - EPSILON) {
          this.tokens -= 1;
          this.waiters.shift()!();
        }
        if (this.waiters.length === 0) break;
        const waitMs = Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.limits.refillPerSecond));
        await this.clock.sleep(waitMs);
      }
    } finally {
      this.pumping = false;
    }
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.limits.burst, this.tokens + (elapsed * this.limits.refillPerSecond) / 1000);
    this.refilledAt = now;
  }
}

/** The defaults with the given overrides, checked. */
/**
 * The limits with part of each burst held back. A bucket on the client counts a call when it
 * is sent; AWS counts it when it arrives. Calls held up on the way (a stalled process, a slow
 * network) arrive together, and AWS's bucket, capped at its burst, did not save the refill of
 * that wait for them: with the whole burst taken, those calls are throttled. The margin
 * absorbs such a clump; the sustained rate stays the quota's.
 */
export function withBurstMargin(limits: Record<AwsService, Required<BucketLimits>>, share: number): RateLimits {
  const kept = {} as RateLimits;
  for (const service of Object.keys(limits) as AwsService[]) {
    const l = limits[service];
    kept[service] = { ...l, burst: Math.max(1, Math.floor(l.burst * (1 - share))) };
  }
  return kept;
}

export function resolveRateLimits(limits: RateLimits = {}): Record<AwsService, Required<BucketLimits>> {
  const merged = {} as Record<AwsService, Required<BucketLimits>>;
  for (const service of Object.keys(DEFAULT_RATE_LIMITS) as AwsService[]) {
    const l = { ...DEFAULT_RATE_LIMITS[service], ...stripUndefined(limits[service] ?? {}) };
    if (!(l.burst >= 1) || !(l.refillPerSecond > 0)) {
      throw new RangeError(`Rate limit for ${service} needs burst >= 1 and refillPerSecond > 0 (got burst ${l.burst}, refillPerSecond ${l.refillPerSecond}).`);
    }
    merged[service] = l;
  }
  return merged;
}

/** Which bucket a call draws on: the service's own for an account-wide quota, else the service's in that region. */
export function bucketKey(limits: Required<BucketLimits>, service: AwsService, region: string, account?: string): string {
  const key = limits.scope === 'account' ? service : `${service}/${region}`;
  return account === undefined ? key : `${key}@${account}`;
}

/** This process's buckets, in memory. */
export class TokenBuckets implements CallLimiter {
  private readonly limits: Record<AwsService, Required<BucketLimits>>;
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    limits: RateLimits = {},
    private readonly clock: MonotonicClock = monotonicClock,
  ) {
    this.limits = resolveRateLimits(limits);
  }

  take(service: AwsService, region: string, account?: string): Promise<void> {
    const limits = this.limits[service];
    const key = bucketKey(limits, service, region, account);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(limits, this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket.take();
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
