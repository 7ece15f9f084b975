import { describe, expect, it } from 'vitest';
import { bucketSeconds, quotaBoundSeconds } from '../bench/quota-bound';

describe('the quota bound the benchmark measures against', () => {
  it('lets a burst go at once and the rest at the refill rate', () => {
    expect(bucketSeconds({ name: 'x', burst: 20, refillPerSecond: 5, calls: 20 })).toBe(0);
    expect(bucketSeconds({ name: 'x', burst: 20, refillPerSecond: 5, calls: 120 })).toBe(20);
  });

  it('is the slowest bucket plus the latency of the calls that must follow one another', () => {
    // 100 groups changed in each survivor: 1 fleet page + 100 updates + 2 confirmation pages = 103 calls,
    // (103 − 20) / 5 = 16.6 s; Route 53 stays within its burst; 7 chained calls × 20 ms = 0.14 s.
    const bound = quotaBoundSeconds({
      regions: [
        { region: 'us-east-1', groups: 100, changed: 0 },
        { region: 'us-west-2', groups: 100, changed: 100 },
        { region: 'eu-west-1', groups: 100, changed: 100 },
      ],
      zones: 1,
      records: 302,
      recordsChangedPerStage: [300, 300],
      latencyMs: 20,
    });
    expect(bound.seconds).toBeCloseTo(16.74, 9);
    expect(bound.buckets.find((b) => b.name === 'route53 (account)')!.calls).toBe(1 + 1 + 2 + 2 + 2);
  });
});
