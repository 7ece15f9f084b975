import { describe, expect, it } from 'vitest';
import { bucketSeconds, proxyCallsByBucket, quotaBoundSeconds } from '../bench/quota-bound';

describe('the quota bound the benchmark measures against', () => {
  it('lets a burst go at once and the rest at the refill rate', () => {
    expect(bucketSeconds({ name: 'x', burst: 20, refillPerSecond: 5, calls: 20 })).toBe(0);
    expect(bucketSeconds({ name: 'x', burst: 20, refillPerSecond: 5, calls: 120 })).toBe(20);
  });

  const large = {
    regions: [
      { region: 'us-east-1', groups: 100, changed: 0 },
      { region: 'us-west-2', groups: 100, changed: 100 },
      { region: 'eu-west-1', groups: 100, changed: 100 },
    ],
    zones: 1,
    records: 302,
    recordsChangedPerStage: [300, 300],
    latencyMs: 20,
  };

  it('counts every Auto Scaling call the steps make per survivor: reads, refreshes, per group a suspension and a resize, and the pins 8 groups a request', () => {
    const survivor = quotaBoundSeconds(large).buckets.find((b) => b.name === 'autoscaling us-west-2')!;
    // 100 changed groups, 50 names per describe: the fleet page (1), the prescale's read (2), the capacity
    // wait's read (2), each of 2 stages' dwell and verify reads (2 × 2 × 2 = 8) = 13 describes; 1 scheduled
    // actions page; 100 instance refreshes; 100 SuspendProcesses, 100 UpdateAutoScalingGroup; the 100 pins
    // at 3 tags each, 25 tags a request (8 pins): ⌈100 / 8⌉ = 13 CreateOrUpdateTags.
    expect(survivor.actions).toEqual({
      DescribeAutoScalingGroups: 13,
      DescribeScheduledActions: 1,
      DescribeInstanceRefreshes: 100,
      SuspendProcesses: 100,
      CreateOrUpdateTags: 13,
      UpdateAutoScalingGroup: 100,
    });
    expect(survivor.calls).toBe(13 + 1 + 100 + 100 + 13 + 100);
    // The failing region is only read: one page and its scheduled actions.
    expect(quotaBoundSeconds(large).buckets.find((b) => b.name === 'autoscaling us-east-1')!.calls).toBe(2);
  });

  it('is the slowest bucket plus the latency of the calls that must follow one another, plus the capacity floor', () => {
    // (327 − 20) / 5 = 61.4 s; 7 + 5 × 2 = 17 chained calls × 20 ms = 0.34 s.
    expect(quotaBoundSeconds(large).seconds).toBeCloseTo(61.74, 9);
    // Zones, their tags, 2 record pages, 2 read-backs, 2 change batches, 2 GetChange.
    expect(quotaBoundSeconds(large).buckets.find((b) => b.name === 'route53 (account)')!.calls).toBe(1 + 1 + 2 + 2 + 2 + 2);
    expect(quotaBoundSeconds({ ...large, capacityFloorSeconds: 4 }).seconds).toBeCloseTo(65.74, 9);
  });

  it("sets the proxy's answered calls in the same buckets: per region, Route 53 for the account, throttled attempts left out", () => {
    const seen = proxyCallsByBucket([
      { service: 'autoscaling', region: 'us-west-2', action: 'UpdateAutoScalingGroup', outcome: 'ok', count: 3 },
      { service: 'autoscaling', region: 'us-west-2', action: 'UpdateAutoScalingGroup', outcome: 'throttled', count: 2 },
      { service: 'route53', region: 'us-east-1', action: 'GetChange', outcome: 'ok', count: 1 },
      { service: 'route53', region: 'eu-west-1', action: 'GetChange', outcome: 'ok', count: 1 },
    ]);
    expect(seen).toEqual({ 'autoscaling us-west-2': { UpdateAutoScalingGroup: 3 }, 'route53 (account)': { GetChange: 2 } });
  });
});
