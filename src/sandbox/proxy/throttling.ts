import type { ProxyClock } from './proxy-clock';
import type { ProxyService, Quota, QuotaName } from './proxy-profile';
import { isNonMutatingEc2Action } from './request-classifier';

/**
 * AWS's account quotas as token buckets: a call takes a token or is throttled (it never
 * waits, as AWS never queues). Buckets start full and refill continuously.
 */

export function quotaFor(service: ProxyService, action: string): QuotaName {
  if (service === 'ec2') return isNonMutatingEc2Action(action) ? 'ec2NonMutating' : 'ec2Mutating';
  return service;
}

export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly quota: Quota,
    private readonly clock: ProxyClock,
  ) {
    this.tokens = quota.burst;
    this.refilledAt = clock.now();
  }

  /** Takes a token if there is one. */
  tryTake(): boolean {
    const now = this.clock.now();
    this.tokens = this.refilled(now);
    this.refilledAt = now;
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens -= 1;
    return true;
  }

  /** Tokens now (for the admin state). */
  level(): number {
    return this.refilled(this.clock.now());
  }

  /** Tokens at `now`: what was left, plus the refill since, up to the burst. */
  private refilled(now: number): number {
    const elapsed = Math.max(0, now - this.refilledAt);
    return Math.min(this.quota.burst, this.tokens + (elapsed * this.quota.refillPerSecond) / 1000);
  }
}

export class ThrottleBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly quotas: Record<QuotaName, Quota>,
    private readonly clock: ProxyClock,
  ) {}

  /** The bucket a call draws from: one per quota and region, or one per quota for account-wide quotas. */
  static key(quota: QuotaName, scope: Quota['scope'], region: string): string {
    return scope === 'account' ? quota : `${quota}/${region}`;
  }

  /** True when the call may go ahead, false when AWS would throttle it. */
  tryTake(service: ProxyService, region: string, action: string): boolean {
    const name = quotaFor(service, action);
    const quota = this.quotas[name];
    const key = ThrottleBuckets.key(name, quota.scope, region);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(quota, this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake();
  }

  levels(): Record<string, number> {
    return Object.fromEntries([...this.buckets.entries()].map(([k, b]) => [k, Math.round(b.level() * 100) / 100]));
  }
}
