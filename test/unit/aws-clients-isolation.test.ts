import { describe, expect, it } from 'vitest';
import { AwsClients } from '../../src/cloud/aws/aws-clients';
import { DEFAULT_RATE_LIMITS, TokenBuckets } from '../../src/cloud/aws/rate-limiter';

/**
 * A region whose endpoint hangs must not slow the others: each region's Auto Scaling client
 * is its own, down to what the SDK shares between the calls of one client (its retry quota),
 * and its calls draw on a quota bucket of their own.
 */
describe("each region's AWS client", () => {
  it('has its own retry quota', async () => {
    const clients = new AwsClients({ regions: ['us-east-1', 'us-west-2'], credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    try {
      const [east, west] = await Promise.all([clients.autoScaling('us-east-1').config.retryStrategy(), clients.autoScaling('us-west-2').config.retryStrategy()]);
      expect(east).not.toBe(west);
    } finally {
      clients.destroy();
    }
  });

  it("draws on a quota bucket per region: one region's exhausted bucket does not hold another's calls", async () => {
    // A clock that never moves: an empty bucket never refills, so a wait would last for ever.
    const frozen = { now: () => 0, sleep: () => new Promise<void>(() => undefined) };
    const buckets = new TokenBuckets({}, frozen);
    for (let i = 0; i < DEFAULT_RATE_LIMITS.autoscaling.burst; i++) await buckets.take('autoscaling', 'us-east-1');
    let eastGotOne = false;
    void buckets.take('autoscaling', 'us-east-1').then(() => (eastGotOne = true));
    await buckets.take('autoscaling', 'us-west-2');
    expect(eastGotOne).toBe(false);
  });
});
