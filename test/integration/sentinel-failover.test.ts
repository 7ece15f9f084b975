import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../support/api-client';
import { FAULT_FLEET, figures, operationMs, submit, untilStep } from '../support/fault-scenarios';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { AwsState } from '../support/moto-fleet';
import type { ProxiedFleet } from '../support/proxied-fleet';
import { startProxiedFleet } from '../support/proxied-fleet';
import type { SentinelRedis } from '../support/sentinel-redis';
import { startSentinelRedis } from '../support/sentinel-redis';
import { testPrefix } from '../support/test-prefix';

/**
 * Redis behind Sentinel (a primary, a replica, three sentinels: the test's own redis-server
 * processes), and the primary SIGKILLed in the middle of an evacuation. The sentinels promote
 * the replica; every lifeboat connection (the shared one, BullMQ's queue and worker
 * connections) finds it through them, and the operation completes there with AWS exactly as
 * the same evacuation leaves it undisturbed (run first, on the shared Redis, from the same
 * seeded fleet). AWS is moto behind the fault proxy, with 5 s instance launches so the
 * operation is still waiting for capacity when the primary dies.
 */

const EVACUATION = { kind: 'evacuate', region: 'us-east-1', stages: 2, pace: 'stages' } as const;
const SLOW_LAUNCH = { name: 'slow-launch', launch: { launchSeconds: 5 } };

let pf: ProxiedFleet;
let redis: SentinelRedis;
const opened: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  [pf, redis] = await Promise.all([startProxiedFleet(FAULT_FLEET), startSentinelRedis()]);
}, 90_000);

afterAll(async () => {
  for (const o of opened.reverse()) await o.close().catch(() => undefined);
  await redis?.stop();
  await pf?.stop();
});

/** A lifeboat with a worker in this process, closed at the end. */
function lifeboatWith(env: Record<string, string>): TestLifeboat {
  const lb = testLifeboat(pf.cloud(), env);
  opened.push(lb);
  lb.startWorker();
  return lb;
}

describe('the Redis primary is SIGKILLed mid-operation behind Sentinel', () => {
  it('the sentinels promote the replica and the evacuation completes there, AWS as after an undisturbed run', async () => {
    // The same evacuation undisturbed, on the shared Redis: what AWS must look like after it.
    pf.proxy.setProfile(SLOW_LAUNCH);
    const reference = lifeboatWith({});
    const referenceRun = await reference.waitFor(await submit(reference, EVACUATION), undefined, 90_000);
    expect(referenceRun.state, JSON.stringify(referenceRun.error)).toBe('succeeded');
    const undisturbed: AwsState = await pf.fleet.state();
    await reference.close();
    await pf.reset();

    // Now through the sentinels, on a fleet seeded afresh.
    pf.proxy.setProfile(SLOW_LAUNCH);
    // A job lock that outlives the failover: the worker keeps its job rather than have it stall.
    // The cluster-safe prefix the docs recommend: a hash tag, every key in one slot.
    const lb = lifeboatWith({
      ...redis.env(),
      LIFEBOAT_REDIS_PREFIX: `{${testPrefix('sentinel-')}}`,
      LIFEBOAT_JOB_LOCK_MS: '15000',
      LIFEBOAT_STALLED_INTERVAL_MS: '5000',
      LIFEBOAT_LEASE_TTL: '30',
    });
    const api = await startApi(lb);
    opened.push(api);
    const before = await api.call('GET', '/v1/status');
    expect(before.body.status.redis).toMatchObject({ mode: 'sentinel', connection: 'ready', role: 'master', node: redis.primary.address });
    expect(before.body.status.redis.sentinel).toMatchObject({ masterName: redis.masterName, configured: 3, monitoring: 3, quorum: 2, master: redis.primary.address });

    const id = await submit(lb, EVACUATION);
    await untilStep(lb, id, 'await-capacity', 'running', 60_000);
    const { switched } = await redis.watchSwitch(60_000);
    await redis.primary.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await switched).toBe(redis.replica.address);
    const promotedAt = Date.now();

    const done = await lb.waitFor(id, undefined, 90_000);
    const keys = await lb.redis.keys('*');
    expect(keys.filter((k) => !k.startsWith(`${lb.deps.settings.LIFEBOAT_REDIS_PREFIX}:`))).toEqual([]);
    const completedAt = Date.parse(done.finishedAt!);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    expect(await redis.masterAddress()).toBe(redis.replica.address);
    // AWS as after the undisturbed run: every weight, every group's bounds and desired capacity.
    expect(await pf.fleet.state()).toEqual(undisturbed);
    expect(undisturbed.weights['api.example.com']!['us-east-1']).toBe(0);

    // lifeboat's own view: its connection reaches the promoted replica, now the master.
    const after = await api.call('GET', '/v1/status');
    expect(after.body.status.redis).toMatchObject({ mode: 'sentinel', connection: 'ready', role: 'master', node: redis.replica.address });
    expect(after.body.status.redis.sentinel).toMatchObject({ monitoring: 3, master: redis.replica.address });

    figures('Redis primary SIGKILLed in await-capacity, Sentinel failover (down-after 1 s, launch 5 s)', {
      killToPromotedMs: promotedAt - killedAt,
      killToCompletedMs: completedAt - killedAt,
      operationMs: operationMs(done),
      undisturbedOperationMs: operationMs(referenceRun),
      stepAttempts: done.steps.map((s) => `${s.id}:${s.attempts}`).join(','),
    });
  }, 240_000);
});
