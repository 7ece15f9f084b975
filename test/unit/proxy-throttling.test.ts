import { describe, expect, it } from 'vitest';
import { DEFAULT_QUOTAS } from '../../src/sandbox/proxy/proxy-profile';
import { quotaFor, ThrottleBuckets, TokenBucket } from '../../src/sandbox/proxy/throttling';

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const takeMany = (n: number, take: () => boolean) => Array.from({ length: n }, take).filter(Boolean).length;

describe('proxy token buckets', () => {
  it('lets a full burst through at once, then refuses until the bucket refills at its rate', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ burst: 5, refillPerSecond: 2, scope: 'region' }, clock);
    expect(takeMany(8, () => bucket.tryTake())).toBe(5);
    clock.advance(499);
    expect(bucket.tryTake()).toBe(false);
    clock.advance(1);
    expect(bucket.tryTake()).toBe(true);
    clock.advance(10_000);
    expect(takeMany(10, () => bucket.tryTake())).toBe(5);
  });

  it('keeps AWS’s documented quotas: Route 53 50 then 10/s account-wide, EC2 100 and 50 per region, Auto Scaling 20 per region', () => {
    const clock = fakeClock();
    const buckets = new ThrottleBuckets(DEFAULT_QUOTAS, clock);
    const route53 = takeMany(30, () => buckets.tryTake('route53', 'us-east-1', 'ListHostedZones')) + takeMany(30, () => buckets.tryTake('route53', 'eu-west-1', 'GetChange'));
    expect(route53).toBe(50);
    clock.advance(1000);
    expect(takeMany(20, () => buckets.tryTake('route53', 'us-east-1', 'GetChange'))).toBe(10);

    expect(takeMany(120, () => buckets.tryTake('ec2', 'us-west-2', 'DescribeInstances'))).toBe(100);
    expect(takeMany(60, () => buckets.tryTake('ec2', 'us-west-2', 'RunInstances'))).toBe(50);
    expect(takeMany(120, () => buckets.tryTake('ec2', 'eu-west-1', 'DescribeInstances'))).toBe(100);
    expect(takeMany(30, () => buckets.tryTake('autoscaling', 'us-west-2', 'DescribeAutoScalingGroups'))).toBe(20);
    expect(takeMany(30, () => buckets.tryTake('autoscaling', 'eu-west-1', 'UpdateAutoScalingGroup'))).toBe(20);
    clock.advance(1000);
    expect(takeMany(30, () => buckets.tryTake('autoscaling', 'us-west-2', 'DescribeAutoScalingGroups'))).toBe(5);
    expect(takeMany(30, () => buckets.tryTake('ec2', 'us-west-2', 'TerminateInstances'))).toBe(5);
  });

  it('names the quota a call draws from', () => {
    expect([quotaFor('ec2', 'DescribeImages'), quotaFor('ec2', 'CreateLaunchTemplate'), quotaFor('route53', 'GetChange'), quotaFor('autoscaling', 'SetDesiredCapacity')]).toEqual([
      'ec2NonMutating',
      'ec2Mutating',
      'route53',
      'autoscaling',
    ]);
  });
});
