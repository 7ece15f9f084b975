import { describe, expect, it } from 'vitest';
import type { MonotonicClock as Clock } from '../../src/cloud/aws/rate-limiter';
import { DEFAULT_RATE_LIMITS, TokenBuckets } from '../../src/cloud/aws/rate-limiter';

/** A clock that only moves when the test says so; sleepers wake when their time has come. */
class FakeClock implements Clock {
  private t = 0;
  private sleepers: Array<{ until: number; wake: () => void }> = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.sleepers.push({ until: this.t + ms, wake }));
  }

  /** Moves time forward without waking anyone, as a timer that fires late would. */
  jumpWithoutWaking(ms: number): void {
    this.t += ms;
  }

  /** Moves time forward, waking sleepers in order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await flush();
      const next = this.sleepers.filter((s) => s.until <= target).sort((a, b) => a.until - b.until)[0];
      if (!next) break;
      this.t = next.until;
      this.sleepers = this.sleepers.filter((s) => s !== next);
      next.wake();
    }
    this.t = target;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Starts `n` takes and records which have resolved, in resolution order. */
function startTakes(buckets: TokenBuckets, n: number, service: 'autoscaling' | 'ec2' | 'route53', region: string, label = '') {
  const granted: string[] = [];
  for (let i = 0; i < n; i++) {
    void buckets.take(service, region).then(() => granted.push(`${label}${i}`));
  }
  return granted;
}

describe('TokenBuckets', () => {
  it('grants a full burst at once, then one token per refill interval', async () => {
    const clock = new FakeClock();
    const limits = { burst: 4, refillPerSecond: 2 };
    const buckets = new TokenBuckets({ autoscaling: limits }, clock);
    const granted = startTakes(buckets, 7, 'autoscaling', 'us-east-1');
    await flush();
    expect(granted).toHaveLength(limits.burst);

    const interval = 1000 / limits.refillPerSecond;
    await clock.advance(interval - 1);
    expect(granted).toHaveLength(limits.burst);
    await clock.advance(1);
    expect(granted).toHaveLength(limits.burst + 1);
    await clock.advance(2 * interval);
    expect(granted).toHaveLength(7);
  });

  it('serves waiters first come, first served', async () => {
    const clock = new FakeClock();
    const buckets = new TokenBuckets({ ec2: { burst: 1, refillPerSecond: 1 } }, clock);
    const order: string[] = [];
    for (const label of ['a', 'b', 'c', 'd']) void buckets.take('ec2', 'eu-west-1').then(() => order.push(label));
    await clock.advance(3000);
    expect(order).toEqual(['a', 'b', 'c', 'd']);
  });

  it('makes a newcomer queue behind earlier waiters even when a token has refilled before they woke', async () => {
    const clock = new FakeClock();
    const buckets = new TokenBuckets({ ec2: { burst: 1, refillPerSecond: 1 } }, clock);
    const granted = startTakes(buckets, 2, 'ec2', 'eu-west-1', 'early-');
    await flush();
    expect(granted).toEqual(['early-0']);

    clock.jumpWithoutWaking(1000);
    const late = startTakes(buckets, 1, 'ec2', 'eu-west-1', 'late-');
    await flush();
    expect(late).toEqual([]);
    await clock.advance(0);
    expect(granted).toEqual(['early-0', 'early-1']);
    expect(late).toEqual([]);
    await clock.advance(1000);
    expect(late).toEqual(['late-0']);
  });

  it('keeps one bucket per region for Auto Scaling, so a busy region does not slow another', async () => {
    const clock = new FakeClock();
    const buckets = new TokenBuckets({}, clock);
    const { burst } = DEFAULT_RATE_LIMITS.autoscaling;
    const east = startTakes(buckets, burst + 1, 'autoscaling', 'us-east-1');
    const west = startTakes(buckets, burst, 'autoscaling', 'us-west-2');
    await flush();
    expect(east).toHaveLength(burst);
    expect(west).toHaveLength(burst);
  });

  it('keeps one Route 53 bucket for the whole account, whatever region is named', async () => {
    const clock = new FakeClock();
    const buckets = new TokenBuckets({}, clock);
    const { burst, refillPerSecond } = DEFAULT_RATE_LIMITS.route53;
    const east = startTakes(buckets, burst, 'route53', 'us-east-1');
    const west = startTakes(buckets, 1, 'route53', 'us-west-2');
    await flush();
    expect(east).toHaveLength(burst);
    expect(west).toHaveLength(0);
    await clock.advance(1000 / refillPerSecond);
    expect(west).toHaveLength(1);
  });

  it('refills no further than the burst after a quiet spell', async () => {
    const clock = new FakeClock();
    const limits = { burst: 3, refillPerSecond: 10 };
    const buckets = new TokenBuckets({ route53: limits }, clock);
    await clock.advance(60_000);
    const granted = startTakes(buckets, limits.burst + 1, 'route53', 'us-east-1');
    await flush();
    expect(granted).toHaveLength(limits.burst);
  });

  it('overrides only the limits given and keeps the defaults for the rest', async () => {
    const clock = new FakeClock();
    const buckets = new TokenBuckets({ ec2: { refillPerSecond: 1 } }, clock);
    const { burst } = DEFAULT_RATE_LIMITS.ec2;
    const granted = startTakes(buckets, burst + 1, 'ec2', 'us-east-1');
    await flush();
    expect(granted).toHaveLength(burst);
    await clock.advance(999);
    expect(granted).toHaveLength(burst);
    await clock.advance(1);
    expect(granted).toHaveLength(burst + 1);
  });

  it('refuses limits that could never grant a token', () => {
    expect(() => new TokenBuckets({ autoscaling: { burst: 0 } })).toThrow(/burst/);
    expect(() => new TokenBuckets({ route53: { refillPerSecond: 0 } })).toThrow(/refillPerSecond/);
  });
});
