import { AutoScalingClient, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAULT_FLEET, figures, sharesOf, stepMs, stepOf, submit, untilStep } from '../support/fault-scenarios';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { AwsState } from '../support/moto-fleet';
import { DUMMY_CREDENTIALS } from '../support/moto-fleet';
import type { VerifyHook } from '../support/verify-hook';
import { startVerifyHook } from '../support/verify-hook';
import type { ProxiedFleet } from '../support/proxied-fleet';
import { startProxiedFleet } from '../support/proxied-fleet';

/**
 * What production Auto Scaling groups do to an evacuation, injected by the fault proxy in
 * front of moto: activities in progress that refuse updates, scheduled actions, impaired
 * instances, instance types a zone does not offer.
 */

let pf: ProxiedFleet;
let initial: AwsState;
let lb: TestLifeboat | undefined;
let hook: VerifyHook | undefined;

beforeAll(async () => {
  pf = await startProxiedFleet(FAULT_FLEET);
  initial = await pf.fleet.state();
}, 60_000);

beforeEach(async () => {
  await pf.reset();
});

afterEach(async () => {
  await lb?.close();
  await hook?.close();
  lb = undefined;
  hook = undefined;
});

afterAll(async () => {
  await pf?.stop();
});

describe('Auto Scaling busy with a group', () => {
  it('ScalingActivityInProgress on the prescale is retried with backoff and the evacuation succeeds', async () => {
    lb = testLifeboat(pf.cloud({ maxAttempts: 8 }));
    const id = await submit(lb, { kind: 'evacuate', region: 'us-east-1', services: ['api'], stages: 1 });
    pf.proxy.resetCounters();
    pf.proxy.patchProfile({ rejections: [{ count: 3, code: 'ScalingActivityInProgress', action: 'UpdateAutoScalingGroup', group: 'api-us-west-2' }] });
    lb.startWorker();
    const done = await lb.waitFor(id, undefined, 60_000);

    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    expect(pf.counted({ action: 'UpdateAutoScalingGroup', outcome: 'rejected' })).toBe(3);
    const after = await pf.fleet.state();
    for (const c of done.plan!.groupChanges) expect(after.groups[`${c.region}/${c.group}`]).toEqual([c.to.minSize, c.to.desiredCapacity, c.to.maxSize]);
    expect(after.weights['api.example.com']!['us-east-1']).toBe(0);
    expect(initial.weights['api.example.com']!['us-east-1']).toBeGreaterThan(0);
    // The retries are the SDK's, within the prescale step: one attempt of the step.
    expect(stepOf(done, 'prescale').attempts).toBe(1);
    expect(done.result!.awsCalls!.retries).toBeGreaterThanOrEqual(3);
    figures('ScalingActivityInProgress x3 on prescale', { rejected: 3, retries: done.result!.awsCalls!.retries, state: done.state });
  });
});

const API = 'api.example.com';
const HEADROOM = 0.1; // the proportional model's default

/** The share n InService instances serve (proportional model) for a region that ran c at share s: s + (n − c)·(s/c)/(1 + headroom), or n·s/c below c. */
function servable(region: string, n: number): number {
  const c = initial.groups[`${region}/api-${region}`]![1];
  const s = sharesOf(initial.weights[API]!)[region]!;
  return n >= c ? s + ((n - c) * (s / c)) / (1 + HEADROOM) : (n * s) / c;
}

async function lower(region: string, group: string, sizes: { MinSize?: number; DesiredCapacity?: number }): Promise<void> {
  const direct = new AutoScalingClient({ region, endpoint: pf.fleet.endpoint, credentials: DUMMY_CREDENTIALS });
  await direct.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: group, ...sizes }));
  direct.destroy();
}

describe('a survivor lowered during a stage', () => {
  it('is caught during the dwell, re-pinned, and no survivor is left with more traffic than its capacity in service serves', async () => {
    lb = testLifeboat(pf.cloud());
    lb.startWorker();
    const dwellSeconds = 600;
    const id = await submit(lb, { kind: 'evacuate', region: 'us-east-1', services: ['api'], stages: 2, dwellSeconds, onFailure: 'keep' });
    const dwelling = await untilStep(lb, id, 'stage-1/dwell');
    // A scheduled scale-in (or a person) sets MinSize 2, Desired 3 on a survivor mid-dwell.
    await lower('us-west-2', 'api-us-west-2', { MinSize: 2, DesiredCapacity: 3 });
    const done = await lb.waitFor(id, undefined, 30_000);

    expect(done.state).toBe('failed');
    expect(done.error!.code).toBe('LB_ERR_VERIFICATION_FAILED');
    // Caught by the dwell's own watch, long before the dwell would have ended.
    expect(stepOf(done, 'stage-1/dwell').state).toBe('failed');
    expect(stepMs(done, 'stage-1/dwell')).toBeLessThan(dwellSeconds * 1000);
    // Re-pinned at the prescale's sizes, and left pinned as asked (onFailure: keep), which the result says.
    const pin = dwelling.plan!.groupChanges.find((c) => c.group === 'api-us-west-2')!.to;
    const after = await pf.fleet.state();
    expect(after.groups['us-west-2/api-us-west-2']!.slice(0, 2)).toEqual([pin.minSize, pin.desiredCapacity]);
    expect(done.result!.pinned!.map((p) => p.group).sort()).toEqual(['api-eu-west-1', 'api-us-west-2']);
    expect((await lb.deps.store.followUps()).map((f) => f.group).sort()).toEqual(['api-eu-west-1', 'api-us-west-2']);
    // Never above what it served before the operation: 3 in service cannot carry even that, and the result says so.
    const shares = sharesOf(after.weights[API]!);
    expect(shares['us-west-2']!).toBeLessThanOrEqual(sharesOf(initial.weights[API]!)['us-west-2']! + 1e-9);
    expect(shares['eu-west-1']!).toBeLessThanOrEqual(servable('eu-west-1', pin.desiredCapacity) + 1e-9);
    const west = done.result!.served!.find((r) => r.region === 'us-west-2')!;
    expect(west).toMatchObject({ service: 'api', inService: 3, served: false });
    figures('survivor lowered mid-dwell (Min 2, Desired 3)', {
      dwellMs: stepMs(done, 'stage-1/dwell'),
      shareWest: shares['us-west-2']!.toFixed(4),
      shareEu: shares['eu-west-1']!.toFixed(4),
      shareEast: shares['us-east-1']!.toFixed(4),
      westServed: String(west.served),
    });
  });
});

describe('failure leaves no surprise', () => {
  it('a failed operation unpins what it pinned and resumes what it suspended (onFailure: unpin, the default)', async () => {
    hook = await startVerifyHook(() => ({ ok: false, reason: 'error rate too high' }));
    lb = testLifeboat(pf.cloud(), { LIFEBOAT_VERIFY_HOOK_URL: hook.url });
    lb.startWorker();
    const id = await submit(lb, { kind: 'evacuate', region: 'us-east-1', services: ['api'], stages: 2 });
    const done = await lb.waitFor(id, undefined, 30_000);

    expect(done.state).toBe('failed');
    expect(done.error!.code).toBe('LB_ERR_VERIFICATION_FAILED');
    expect(stepOf(done, 'after-failure/release-pins').state).toBe('succeeded');
    const after = await pf.fleet.state();
    for (const region of ['us-west-2', 'eu-west-1']) {
      const [min] = after.groups[`${region}/api-${region}`]!;
      expect(min, region).toBe(initial.groups[`${region}/api-${region}`]![0]);
    }
    expect(after.weights).toEqual(initial.weights);
    expect(done.result!.unpinned!.map((u) => u.group).sort()).toEqual(['api-eu-west-1', 'api-us-west-2']);
    expect(done.result!.pinned).toBeUndefined();
    expect(await lb.deps.store.suspensionsOf([{ region: 'us-west-2', group: 'api-us-west-2' }])).toEqual([]);
    // Nothing moved in the end: the region is not left marked evacuated.
    expect(await lb.deps.store.evacuationOf('us-east-1')).toBeUndefined();
  });
});

describe('partial moves', () => {
  it('a partial that can move nothing fails with LB_ERR_CAPACITY_TIMEOUT and does not mark the region evacuated', async () => {
    lb = testLifeboat(pf.cloud());
    lb.startWorker();
    pf.proxy.setProfile({ name: 'no-capacity', capacityLimits: [{ region: 'us-west-2', maxNewInstances: 0 }, { region: 'eu-west-1', maxNewInstances: 0 }] });
    const id = await submit(lb, { kind: 'evacuate', region: 'us-east-1', services: ['api'], capacityTimeoutSeconds: 1, onCapacityTimeout: 'partial' });
    const done = await lb.waitFor(id, undefined, 60_000);

    expect(done.state).toBe('failed');
    expect(done.error!.code).toBe('LB_ERR_CAPACITY_TIMEOUT');
    expect(done.error!.message).toContain('no traffic was moved');
    expect((await pf.fleet.state()).weights).toEqual(initial.weights);
    expect(await lb.deps.store.evacuationOf('us-east-1')).toBeUndefined();
  });

  it('a partial that moved part succeeds with result.partial, marks the region partly evacuated, and restore brings back exactly what moved', async () => {
    lb = testLifeboat(pf.cloud());
    lb.startWorker();
    pf.proxy.setProfile({ name: 'short-west', capacityLimits: [{ region: 'us-west-2', maxNewInstances: 1 }] });
    const id = await submit(lb, { kind: 'evacuate', region: 'us-east-1', services: ['api'], capacityTimeoutSeconds: 1, onCapacityTimeout: 'partial' });
    const done = await lb.waitFor(id, undefined, 60_000);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    expect(done.result!.partial).toBe(true);
    expect((await lb.deps.store.evacuationOf('us-east-1'))!.partial).toBe(true);
    expect(sharesOf((await pf.fleet.state()).weights[API]!)['us-east-1']!).toBeGreaterThan(0);

    pf.proxy.setProfile({ name: 'instant' });
    const restoreId = await submit(lb, { kind: 'restore', region: 'us-east-1' });
    const restored = await lb.waitFor(restoreId, undefined, 60_000);
    expect(restored.state, JSON.stringify(restored.error)).toBe('succeeded');
    expect((await pf.fleet.state()).weights).toEqual(initial.weights);
    expect(await lb.deps.store.evacuationOf('us-east-1')).toBeUndefined();
  });
});
