import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  PutLifecycleHookCommand,
  PutScheduledUpdateGroupActionCommand,
  SuspendProcessesCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { LifeboatError } from '../../src/core/errors';
import { takeSnapshot } from '../../src/operations/fleet-snapshot';
import { planRequest } from '../../src/operations/plan-request';
import { submitOperation } from '../../src/operations/submit-operation';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cancelOperation, getOperation } from '../../src/operations/activity';
import type { OperationView } from '../../src/operations/operation-views';
import type { PacedStageRecord } from '../../src/operations/steps/follow-capacity-records';
import { FAULT_FLEET, at, figures, sharesOf, stepMs, stepOf, submit, untilStep } from '../support/fault-scenarios';
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
    const id = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', services: ['api'], stages: 1 });
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
    const id = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', services: ['api'], stages: 2, dwellSeconds, onFailure: 'keep' });
    const dwelling = await untilStep(lb, id, 'stage-1/dwell');
    // A scheduled scale-in (or a person) sets MinSize 2, Desired 3 on a survivor mid-dwell.
    await lower('us-west-2', 'api-us-west-2', { MinSize: 2, DesiredCapacity: 3 });
    const done = await lb.waitFor(id, undefined, 30_000);

    expect(done.state).toBe('failed');
    expect(done.error!.code).toBe('LB_ERR_VERIFICATION_FAILED');
    // Caught by the dwell's own watch: the dwell step itself failed (a 600 s dwell, and waitFor
    // above gave up after 30 s, so it cannot have run its course).
    expect(stepOf(done, 'stage-1/dwell').state).toBe('failed');
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

/** The changes the paced steps recorded (the headroom's first). */
function pacedRecords(view: OperationView): PacedStageRecord[] {
  return view.steps.filter((s) => s.id.startsWith('follow-capacity')).flatMap((s) => (s.detail?.stages as PacedStageRecord[] | undefined) ?? []);
}

/** Polls until a paced stage of the operation is in sync and not yet verified: it is dwelling. */
async function untilPacedStageDwells(lb: TestLifeboat, id: string, timeoutMs = 30_000): Promise<OperationView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const view = await getOperation(id, lb.deps);
    if (pacedRecords(view).some((s) => s.kind === undefined && s.insyncAt && !s.verifiedAt)) return view;
    if (['succeeded', 'failed', 'refused', 'cancelled'].includes(view.state)) throw new Error(`operation ${id} ${view.state} before a paced stage dwelt: ${JSON.stringify(view.error)}`);
    if (Date.now() > until) throw new Error(`no paced stage dwelling within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('paced by capacity (the default for an evacuation)', () => {
  it('a verify hook that says no for a paced stage: the stage is rolled back to the weights before it and the operation fails naming the reason, as for stages', async () => {
    hook = await startVerifyHook(() => ({ ok: false, reason: 'error rate too high' }));
    lb = testLifeboat(pf.cloud(), { LIFEBOAT_VERIFY_HOOK_URL: hook.url, LIFEBOAT_OUTBOUND_HOSTS: '127.0.0.1' });
    lb.startWorker();
    const id = await submit(lb, { kind: 'evacuate', region: 'us-east-1', services: ['api'], dwellSeconds: 0.2 });
    const done = await lb.waitFor(id, undefined, 30_000);

    expect(done.state).toBe('failed');
    expect(done.error!.code).toBe('LB_ERR_VERIFICATION_FAILED');
    expect(done.error!.message).toContain('error rate too high');
    expect(done.error!.details).toMatchObject({ stage: 1, rolledBackTo: 0, pace: 'capacity' });
    expect(stepOf(done, 'follow-capacity').state).toBe('failed');
    // The hook was asked about the paced stage, once: the operation stopped there.
    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]).toMatchObject({ operationId: id, pace: 'capacity', stage: 1 });
    expect(String(hook.requests[0]!.name).replace(/\.$/, '')).toBe(API);
    // The stage moved traffic off us-east-1, then its weights went back to those before it: Route 53 holds the original weights.
    const records = pacedRecords(done);
    expect(records.map((r) => [r.stage, r.kind ?? 'stage'])).toEqual([
      [1, 'stage'],
      [2, 'rollback'],
    ]);
    expect(records[0]!.failingShare).toBeLessThan(sharesOf(initial.weights[API]!)['us-east-1']!);
    expect((await pf.fleet.state()).weights).toEqual(initial.weights);
    expect(done.result!.summary).toContain('weights are as they were before the operation');
    // Nothing moved in the end: the region is not left marked evacuated.
    expect(await lb.deps.store.evacuationOf('us-east-1')).toBeUndefined();
    // Relief counts the rollback: us-east-1 got its share back, so the evacuation did not mitigate.
    const relief = done.result!.relief!;
    expect(relief.firstReliefSeconds).toBeCloseTo((at(records[0]!.insyncAt) - at(done.createdAt)) / 1000, 6);
    expect(relief.mitigated).toBe(false);
    expect(relief.mitigateSeconds).toBeUndefined();
    figures('verify hook says no at a paced stage', { hookCalls: hook.requests.length, failingShareAtStage: records[0]!.failingShare.toFixed(4), impactShareSeconds: relief.impactShareSeconds.toFixed(3) });
  });

  it('a survivor lowered during a paced stage: re-pinned, no survivor is left with more traffic than its capacity in service serves, and the operation fails with what is served once the capacity does not come back', async () => {
    lb = testLifeboat(pf.cloud());
    lb.startWorker();
    const capacityTimeoutSeconds = 2;
    const id = await submit(lb, { kind: 'evacuate', region: 'us-east-1', services: ['api'], dwellSeconds: 600, capacityTimeoutSeconds, onFailure: 'keep' });
    const dwelling = await untilPacedStageDwells(lb, id);
    const pin = dwelling.plan!.groupChanges.find((c) => c.group === 'api-us-west-2')!.to;
    const seeded = initial.groups['us-west-2/api-us-west-2']![1];
    // Two instances fewer than the pin, still more than it ran before: what it serves is between the two.
    const kept = pin.desiredCapacity - 2;
    expect(kept).toBeGreaterThan(seeded);
    // No new instance comes to us-west-2 from now on, so the re-pin cannot bring the capacity back in time.
    pf.proxy.patchProfile({ capacityLimits: [{ region: 'us-west-2', maxNewInstances: 0 }] });
    await lower('us-west-2', 'api-us-west-2', { MinSize: Math.min(pin.minSize, kept), DesiredCapacity: kept });
    const done = await lb.waitFor(id, undefined, 60_000);

    expect(done.state).toBe('failed');
    expect(done.error!.code).toBe('LB_ERR_VERIFICATION_FAILED');
    expect(done.error!.details).toMatchObject({ rolledBackTo: 'servable', pace: 'capacity' });
    // Caught during the 600 s dwell (waitFor gave up after 60 s): the stage was never verified.
    const records = pacedRecords(done);
    const fallback = records.find((r) => r.kind === 'fallback')!;
    expect(fallback).toBeDefined();
    expect(records.filter((r) => r.kind === undefined).every((r) => r.verifiedAt === undefined)).toBe(true);
    // Re-pinned at the prescale's sizes, and left pinned as asked (onFailure: keep).
    expect(done.error!.details!.repinned).toMatchObject([{ region: 'us-west-2', group: 'api-us-west-2', minSize: pin.minSize, desiredCapacity: pin.desiredCapacity }]);
    const after = await pf.fleet.state();
    expect(after.groups['us-west-2/api-us-west-2']!.slice(0, 2)).toEqual([pin.minSize, pin.desiredCapacity]);
    // What runs in service now, read through the proxy: us-west-2 kept `kept`, none came back.
    const inService = await pf.inService();
    expect(inService['us-west-2/api-us-west-2']).toBe(kept);
    // No survivor above max(its share before, what its instances in service serve), bound computed here from the seeded fleet and the model.
    const before = sharesOf(initial.weights[API]!);
    const bound = (region: string) => Math.max(before[region]!, servable(region, inService[`${region}/api-${region}`]!));
    const shares = sharesOf(after.weights[API]!);
    for (const region of ['us-west-2', 'eu-west-1']) {
      expect(shares[region]!, region).toBeLessThanOrEqual(bound(region) + 1e-9);
      expect(fallback.shares[region]!, region).toBeLessThanOrEqual(bound(region) + 1e-9);
    }
    // us-west-2 was over what 8 serve before the fallback; us-east-1 took back what nobody could.
    expect(records.filter((r) => r.kind === undefined).at(-1)!.shares['us-west-2']!).toBeGreaterThan(bound('us-west-2') + 1e-9);
    expect(shares['us-east-1']!).toBeGreaterThan(0);
    // Part of its traffic stays moved: the region is still marked evacuated, by this operation.
    expect((await lb.deps.store.evacuationOf('us-east-1'))?.operationId).toBe(id);
    expect(done.result!.summary).toContain('weights are those the capacity in service serves');
    expect(done.result!.served!.find((r) => r.region === 'us-west-2')).toMatchObject({ service: 'api', inService: kept });
    expect(done.result!.unplaced!.map((u) => u.name.replace(/\.$/, ''))).toEqual([API]);
    // Relief counts the fallback: us-east-1 carries traffic again, so the evacuation is not mitigated.
    expect(done.result!.relief!.mitigated).toBe(false);
    figures('survivor lowered during a paced stage', { kept, pin: pin.desiredCapacity, shareWest: shares['us-west-2']!.toFixed(4), shareEu: shares['eu-west-1']!.toFixed(4), shareEast: shares['us-east-1']!.toFixed(4) });
  });
});

describe('paced by capacity, capacity back after a fallback', () => {
  it('a survivor lowered during a paced stage falls back, then the name moves again as the re-pinned capacity comes into service', async () => {
    lb = testLifeboat(pf.cloud());
    lb.startWorker();
    const id = await submit(lb, { kind: 'evacuate', region: 'us-east-1', services: ['api'], dwellSeconds: 600 });
    const dwelling = await untilPacedStageDwells(lb, id);
    const pin = dwelling.plan!.groupChanges.find((c) => c.group === 'api-us-west-2')!.to;
    const kept = pin.desiredCapacity - 2;
    await lower('us-west-2', 'api-us-west-2', { MinSize: Math.min(pin.minSize, kept), DesiredCapacity: kept });
    // The re-pin brings the two instances back: the name moves off us-east-1 again, past its fallback.
    const until = Date.now() + 30_000;
    let view = await getOperation(id, lb.deps);
    const movedAgain = (v: OperationView) => {
      const records = pacedRecords(v);
      const fallback = records.findIndex((r) => r.kind === 'fallback');
      return fallback >= 0 && records.slice(fallback + 1).some((r) => r.kind === undefined && r.failingShare === 0 && r.insyncAt !== undefined);
    };
    while (!movedAgain(view)) {
      if (Date.now() > until || ['succeeded', 'failed', 'cancelled'].includes(view.state)) throw new Error(`the name did not move again after its fallback: ${view.state} ${JSON.stringify(pacedRecords(view).map((r) => [r.stage, r.kind, r.failingShare]))}`);
      await new Promise((r) => setTimeout(r, 25));
      view = await getOperation(id, lb.deps);
    }
    const records = pacedRecords(view);
    const fallback = records.find((r) => r.kind === 'fallback')!;
    const again = records.slice(records.indexOf(fallback) + 1).find((r) => r.kind === undefined)!;
    // The fallback was within what `kept` instances serve; the stage after it was justified by the capacity put back.
    const before = sharesOf(initial.weights[API]!);
    expect(fallback.shares['us-west-2']!).toBeLessThanOrEqual(Math.max(before['us-west-2']!, servable('us-west-2', kept)) + 1e-9);
    expect(fallback.failingShare).toBeGreaterThan(0);
    expect(fallback.capacity.find((c) => c.region === 'us-west-2')!.inService).toBe(kept);
    expect(again.capacity.find((c) => c.region === 'us-west-2')!.inService).toBe(pin.desiredCapacity);
    expect(again.shares['us-west-2']!).toBeLessThanOrEqual(Math.max(before['us-west-2']!, servable('us-west-2', pin.desiredCapacity)) + 1e-9);
    expect(view.steps.find((s) => s.id === 'follow-capacity')!.detail!.fallbacks).toMatchObject([{ repinned: [{ group: 'api-us-west-2', desiredCapacity: pin.desiredCapacity }] }]);

    // Cancelled with rollback during the new stage's dwell: relief counts every change, the rollback's too.
    await cancelOperation(id, { by: 'test', rollback: true }, lb.deps);
    const done = await lb.waitFor(id, undefined, 30_000);
    expect(done.state, JSON.stringify(done.error)).toBe('cancelled');
    expect((await pf.fleet.state()).weights).toEqual(initial.weights);
    const relief = done.result!.relief!;
    expect(relief.mitigated).toBe(false);
    expect(relief.firstReliefSeconds).toBeCloseTo((at(records[0]!.insyncAt) - at(done.createdAt)) / 1000, 6);
    // Impact until the rollback took effect, computed here from the records: each change from when it was in sync.
    const rolledBackAt = at(stepOf(done, 'rollback/await-dns').finishedAt);
    let impact = 0;
    let share = before['us-east-1']!;
    let since = at(done.createdAt);
    for (const r of pacedRecords(done).filter((x) => x.insyncAt)) {
      impact += share * (at(r.insyncAt) - since);
      since = at(r.insyncAt);
      share = r.failingShare;
    }
    impact += share * (rolledBackAt - since);
    // After the rollback us-east-1 carries its share again until the operation ended.
    expect(relief.impactShareSeconds).toBeGreaterThanOrEqual(impact / 1000 - 1e-9);
    expect(relief.impactShareSeconds).toBeLessThanOrEqual(impact / 1000 + (before['us-east-1']! * (at(done.finishedAt) + 1000 - rolledBackAt)) / 1000);
    figures('paced fallback, capacity back', { kept, pin: pin.desiredCapacity, fallbackEast: fallback.failingShare.toFixed(4), impactShareSeconds: relief.impactShareSeconds.toFixed(3) });
  });
});

describe('failure leaves no surprise', () => {
  it('a failed operation unpins what it pinned and resumes what it suspended (onFailure: unpin, the default)', async () => {
    hook = await startVerifyHook(() => ({ ok: false, reason: 'error rate too high' }));
    lb = testLifeboat(pf.cloud(), { LIFEBOAT_VERIFY_HOOK_URL: hook.url });
    lb.startWorker();
    const id = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', services: ['api'], stages: 2 });
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
    const id = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', services: ['api'], capacityTimeoutSeconds: 1, onCapacityTimeout: 'partial' });
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
    const id = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', services: ['api'], capacityTimeoutSeconds: 1, onCapacityTimeout: 'partial' });
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

/** Auto Scaling straight to moto (not through the proxy): the test's own hand on the fleet. */
function direct(region: string): AutoScalingClient {
  return new AutoScalingClient({ region, endpoint: pf.fleet.endpoint, credentials: DUMMY_CREDENTIALS });
}

async function suspendedOn(region: string, group: string): Promise<string[]> {
  const client = direct(region);
  const found = await client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
  client.destroy();
  return (found.AutoScalingGroups?.[0]?.SuspendedProcesses ?? []).map((p) => p.ProcessName!).sort();
}

describe('scheduled actions', () => {
  it('one firing mid-evacuation changes nothing lifeboat pinned, and restore resumes only what lifeboat suspended', async () => {
    const west = direct('us-west-2');
    await west.send(new PutScheduledUpdateGroupActionCommand({ AutoScalingGroupName: 'api-us-west-2', ScheduledActionName: 'night-scale-in', Recurrence: '0 2 * * *', MinSize: 2, DesiredCapacity: 3 }));
    west.destroy();
    // Someone else suspended eu-west-1's scheduled actions before lifeboat came: they must stay suspended.
    const eu = direct('eu-west-1');
    await eu.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'api-eu-west-1', ScalingProcesses: ['ScheduledActions'] }));
    eu.destroy();
    lb = testLifeboat(pf.cloud());
    lb.startWorker();
    const id = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', services: ['api'], stages: 2, dwellSeconds: 1 });
    const dwelling = await untilStep(lb, id, 'stage-1/dwell');
    // AWS's clock reaches 02:00: the action fires, unless the group has ScheduledActions suspended.
    const fired = await pf.proxy.fireScheduledActions({ region: 'us-west-2' });
    const done = await lb.waitFor(id, undefined, 30_000);

    expect(fired.fired).toEqual([]);
    expect(fired.skipped).toMatchObject([{ group: 'api-us-west-2', action: 'night-scale-in' }]);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    const pin = dwelling.plan!.groupChanges.find((c) => c.group === 'api-us-west-2')!.to;
    expect((await pf.fleet.state()).groups['us-west-2/api-us-west-2']).toEqual([pin.minSize, pin.desiredCapacity, pin.maxSize]);
    expect(stepOf(done, 'prescale').detail!.suspended).toEqual([{ region: 'us-west-2', group: 'api-us-west-2' }]);

    const restoreId = await submit(lb, { kind: 'restore', region: 'us-east-1' });
    const restored = await lb.waitFor(restoreId, undefined, 30_000);
    expect(restored.state, JSON.stringify(restored.error)).toBe('succeeded');
    expect(await suspendedOn('us-west-2', 'api-us-west-2')).toEqual([]);
    expect(await suspendedOn('eu-west-1', 'api-eu-west-1')).toEqual(['ScheduledActions']);
    figures('scheduled action firing mid-evacuation', { fired: fired.fired.length, skipped: fired.skipped.length, westAfter: JSON.stringify((await pf.fleet.state()).groups['us-west-2/api-us-west-2']) });
  });
});

describe('EC2 in the product', () => {
  it('an impaired instance does not count: not in the capacity view, not as capacity in service', async () => {
    const ids = (await pf.fleet.cloud().readGroups('us-west-2', ['api-us-west-2']))[0]!.instances.map((i) => i.instanceId);
    pf.proxy.patchProfile({ groups: { impairedInstances: [ids[0]!] } });
    const snapshot = await takeSnapshot(pf.cloud());
    const west = snapshot.capacity.find((c) => c.service === 'api' && c.region === 'us-west-2')!;
    expect(west).toMatchObject({ inService: ids.length - 1, impaired: 1 });

    lb = testLifeboat(pf.cloud());
    lb.startWorker();
    const id = await submit(lb, { kind: 'evacuate', pace: 'stages', region: 'us-east-1', services: ['api'], capacityTimeoutSeconds: 1, readiness: 1 });
    const done = await lb.waitFor(id, undefined, 30_000);
    // Prescaled to its target, AWS runs them all, but one fails its status checks: the group is one short.
    expect(done.state).toBe('failed');
    expect(done.error!.code).toBe('LB_ERR_CAPACITY_TIMEOUT');
    const short = (done.error!.details as { shortfall: Array<{ group: string; inService: number; target: number }> }).shortfall;
    expect(short).toMatchObject([{ group: 'api-us-west-2', inService: short[0]!.target - 1 }]);
    expect(pf.counted({ service: 'ec2', action: 'DescribeInstanceStatus', outcome: 'ok' })).toBeGreaterThan(0);
  });

  it('refuses an evacuation whose survivor launches an instance type its zones do not offer', async () => {
    pf.proxy.patchProfile({ groups: { instanceTypesNotOffered: [{ region: 'us-west-2', instanceType: 't3.micro' }] } });
    lb = testLifeboat(pf.cloud());
    const refusal = await submitOperation({ kind: 'evacuate', region: 'us-east-1', services: ['api'] }, { actor: 'test' }, lb.deps).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(LifeboatError);
    expect((refusal as LifeboatError).code).toBe('LB_ERR_INSTANCE_TYPE_NOT_OFFERED');
    expect((refusal as LifeboatError).message).toContain('api-us-west-2');
    expect(pf.counted({ action: 'UpdateAutoScalingGroup' })).toBe(0);
  });
});

describe('activities in progress', () => {
  it('a refresh under way on a survivor is a warning in the plan, a blocker with refusePendingRefresh', async () => {
    pf.proxy.patchProfile({ groups: { instanceRefreshes: [{ region: 'eu-west-1', group: 'api-eu-west-1', percentageComplete: 30 }] } });
    lb = testLifeboat(pf.cloud());
    const { plan } = await planRequest({ kind: 'evacuate', region: 'us-east-1', services: ['api'] }, lb.deps, { fresh: true });
    expect(plan.blockers).toEqual([]);
    // Other warnings (moto holds no CPU metrics, so the measured model falls back) are not this test's.
    expect(plan.warnings.filter((w) => w.code === 'INSTANCE_REFRESH_IN_PROGRESS')).toMatchObject([{ code: 'INSTANCE_REFRESH_IN_PROGRESS', details: { group: 'api-eu-west-1', status: 'InProgress' } }]);
    // Asked only for the groups that grow or gain traffic, one call each.
    expect(pf.counted({ action: 'DescribeInstanceRefreshes' })).toBe(2);
    const refused = await planRequest({ kind: 'evacuate', region: 'us-east-1', services: ['api'], refusePendingRefresh: true }, lb.deps, { fresh: true });
    expect(refused.plan.blockers.map((b) => b.code)).toEqual(['LB_ERR_INSTANCE_REFRESH']);
    // Warnings about services the plan is not about stay out of it.
    expect(plan.warnings.filter((w) => w.details?.service !== undefined && w.details.service !== 'api')).toEqual([]);
  });

  it('instances held in Pending:Wait count as pending, and the capacity view names the hook that holds them', async () => {
    const west = direct('us-west-2');
    await west.send(new PutLifecycleHookCommand({ AutoScalingGroupName: 'api-us-west-2', LifecycleHookName: 'warm-cache', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', HeartbeatTimeout: 300 }));
    west.destroy();
    pf.proxy.patchProfile({ launch: { launchSeconds: 60 }, groups: { launchHooksHold: true } });
    const cloud = pf.cloud();
    await cloud.setGroupSize({ region: 'us-west-2', group: 'api-us-west-2', minSize: 2, desiredCapacity: 8, maxSize: 20 });
    const west2 = (await takeSnapshot(cloud)).capacity.find((c) => c.service === 'api' && c.region === 'us-west-2')!;
    expect(west2).toMatchObject({ inService: 6, pending: 2, pendingWait: 2, launchHooks: ['warm-cache'] });
  });
});
