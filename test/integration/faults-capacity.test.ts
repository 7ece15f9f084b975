import { AutoScalingClient, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { at, FAULT_FLEET, figures, operationMs, sharesOf, stepMs, stepOf, submit, untilStep } from '../support/fault-scenarios';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { AwsState } from '../support/moto-fleet';
import { DUMMY_CREDENTIALS } from '../support/moto-fleet';
import type { ProxiedFleet } from '../support/proxied-fleet';
import { startProxiedFleet } from '../support/proxied-fleet';
import type { VerifyHook } from '../support/verify-hook';
import { startVerifyHook } from '../support/verify-hook';
import { survivorTargets } from '../support/expected-sizes';

/**
 * Capacity that does not come (InsufficientInstanceCapacity), comes late, or goes away after
 * the prescale; and a stage check that says no. Through the fault proxy in front of moto.
 */

const HEADROOM = 0.1; // the proportional model's default
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

const API = 'api.example.com';
/** us-west-2 can launch one more instance, then AWS runs out (api-us-west-2 asks for 4 more). */
const SHORT_WEST = { name: 'ice-us-west-2', capacityLimits: [{ region: 'us-west-2', maxNewInstances: 1 }] };
const evacuateApi = { kind: 'evacuate', region: 'us-east-1', services: ['api'], pace: 'stages', stages: 2, capacityTimeoutSeconds: 1 };

/**
 * The share of `name` that n InService instances serve at the proportional model's target,
 * for a region that ran c instances at share s: s + (n − c)·(s/c)/(1 + headroom).
 */
function servable(region: string, n: number): number {
  const c = initial.groups[`${region}/api-${region}`]![1];
  const s = sharesOf(initial.weights[API]!)[region]!;
  return n >= c ? s + ((n - c) * (s / c)) / (1 + HEADROOM) : (n * s) / c;
}

describe('a survivor that cannot get its capacity (InsufficientInstanceCapacity)', () => {
  it('policy partial: no survivor gets more traffic than the capacity it obtained serves; the report names the shortfall and what stays', async () => {
    lb = testLifeboat(pf.cloud());
    lb.startWorker();
    pf.proxy.setProfile(SHORT_WEST);
    const id = await submit(lb, { ...evacuateApi, onCapacityTimeout: 'partial' });
    const done = await lb.waitFor(id, undefined, 60_000);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');

    const inService = await pf.inService();
    const obtained = { 'us-west-2': inService['us-west-2/api-us-west-2']!, 'eu-west-1': inService['eu-west-1/api-eu-west-1']! };
    expect(obtained['us-west-2']).toBe(7); // 6 + the one AWS could launch
    const target = done.plan!.groupChanges.find((c) => c.group === 'api-us-west-2')!.to.desiredCapacity;
    expect(target).toBeGreaterThan(obtained['us-west-2']);

    // The plan after the re-plan: no stage loads a region that gains traffic beyond what it has.
    const before = sharesOf(initial.weights[API]!);
    expect(done.plan!.stages.length).toBeGreaterThan(0);
    for (const stage of done.plan!.stages) {
      for (const load of stage.load.filter((l) => l.service === 'api' && l.share > before[l.region]! + 1e-9)) {
        expect(load.loadFactor, `stage ${stage.index} ${load.region}`).not.toBeNull();
        expect(load.loadFactor!, `stage ${stage.index} ${load.region}`).toBeLessThanOrEqual(1);
      }
      // And independently, from the InService counts AWS shows and the model.
      for (const t of stage.traffic.filter((x) => x.name === API && x.region !== 'us-east-1')) {
        expect(t.share, `stage ${stage.index} ${t.region}`).toBeLessThanOrEqual(servable(t.region, obtained[t.region as keyof typeof obtained]) + 1e-9);
      }
    }
    // What Route 53 really holds now.
    const after = sharesOf((await pf.fleet.state()).weights[API]!);
    for (const region of ['us-west-2', 'eu-west-1'] as const) expect(after[region]!).toBeLessThanOrEqual(servable(region, obtained[region]) + 1e-9);
    expect(after['us-east-1']!).toBeGreaterThan(0);

    // The report: the shortfall per service and region, and what stays.
    expect(done.result!.shortfall).toEqual([{ service: 'api', region: 'us-west-2', target, obtained: obtained['us-west-2'] }]);
    expect(done.result!.unplaced).toHaveLength(1);
    const unplaced = done.result!.unplaced![0]!;
    expect(unplaced.name.replace(/\.$/, '')).toBe(API);
    expect(unplaced.share).toBeCloseTo(after['us-east-1']!, 2);
    expect(done.result!.summary).toContain('partial');
    const capacity = stepOf(done, 'await-capacity');
    expect(JSON.stringify(capacity.detail!.shortfall)).toContain('InsufficientInstanceCapacity');

    figures('InsufficientInstanceCapacity, policy partial', {
      target,
      obtained: obtained['us-west-2'],
      shareWest: after['us-west-2']!.toFixed(4),
      servableWest: servable('us-west-2', obtained['us-west-2']).toFixed(4),
      shareEu: after['eu-west-1']!.toFixed(4),
      servableEu: servable('eu-west-1', obtained['eu-west-1']).toFixed(4),
      unplaced: unplaced.share.toFixed(4),
      awaitCapacityMs: stepMs(done, 'await-capacity'),
      operationMs: operationMs(done),
    });
  });

  it('policy abort: fails with LB_ERR_CAPACITY_TIMEOUT naming the short group and InsufficientInstanceCapacity; no weight moved', async () => {
    lb = testLifeboat(pf.cloud());
    lb.startWorker();
    pf.proxy.setProfile(SHORT_WEST);
    const id = await submit(lb, { ...evacuateApi, onCapacityTimeout: 'abort' });
    const done = await lb.waitFor(id, undefined, 60_000);

    expect(done.state).toBe('failed');
    expect(done.error!.code).toBe('LB_ERR_CAPACITY_TIMEOUT');
    expect(done.error!.message).toContain('api-us-west-2');
    expect(done.error!.message).toContain('no traffic was moved');
    const shortfall = (done.error!.details as { shortfall: Array<Record<string, unknown>> }).shortfall;
    expect(shortfall).toHaveLength(1);
    expect(shortfall[0]).toMatchObject({ group: 'api-us-west-2', region: 'us-west-2', service: 'api', inService: 7, reasons: ['InsufficientInstanceCapacity'] });
    expect(pf.counted({ action: 'ChangeResourceRecordSets' })).toBe(0);
    expect((await pf.fleet.state()).weights).toEqual(initial.weights);

    figures('InsufficientInstanceCapacity, policy abort', {
      short: `${String(shortfall[0]!.group)}:${String(shortfall[0]!.inService)}/${String(shortfall[0]!.target)}`,
      reasons: (shortfall[0]!.reasons as string[]).join(','),
      weightChanges: pf.counted({ action: 'ChangeResourceRecordSets' }),
      awaitCapacityMs: stepMs(done, 'await-capacity'),
    });
  });
});

describe('slow capacity', () => {
  it('await-capacity times out as configured and reports which groups are short', async () => {
    const timeoutMs = 2000;
    lb = testLifeboat(pf.cloud(), { LIFEBOAT_CAPACITY_TIMEOUT: String(timeoutMs / 1000) });
    lb.startWorker();
    pf.proxy.setProfile({ name: 'slow-launch', launch: { launchSeconds: 30 } });
    const id = await submit(lb, { kind: 'evacuate', region: 'us-east-1', services: ['api'], pace: 'stages' });
    const done = await lb.waitFor(id, undefined, 30_000);

    expect(done.state).toBe('failed');
    expect(done.error!.code).toBe('LB_ERR_CAPACITY_TIMEOUT');
    const waited = stepMs(done, 'await-capacity');
    // It gave up at the timeout configured (LIFEBOAT_CAPACITY_TIMEOUT), and says so.
    expect(done.error!.message).toMatch(new RegExp(`^capacity not in service after ${timeoutMs / 1000} s: `));
    const shortfall = (done.error!.details as { shortfall: Array<{ group: string; inService: number; target: number; reasons: string[] }> }).shortfall;
    expect(shortfall.map((s) => s.group).sort()).toEqual(['api-eu-west-1', 'api-us-west-2']);
    // Each short group still runs what it was seeded with; its target is what the default model asks of a survivor.
    const targets = survivorTargets(initial, API, 'api', 'us-east-1');
    for (const s of shortfall) {
      const region = s.group.replace(/^api-/, '');
      expect(s).toMatchObject({ inService: initial.groups[`${region}/${s.group}`]![1], target: targets[region], reasons: [] });
    }
    for (const group of ['api-eu-west-1', 'api-us-west-2']) expect(done.error!.message).toContain(group);
    expect((await pf.fleet.state()).weights).toEqual(initial.weights);

    figures('slow capacity (launch 30 s, timeout 2 s)', {
      awaitCapacityMs: waited,
      shortGroups: shortfall.map((s) => `${s.group}:${s.inService}/${s.target}`).join(','),
      describePolls: pf.counted({ action: 'DescribeAutoScalingGroups' }),
    });
  });
});

describe('verification between stages', () => {
  it('a verify hook that says no for stage 1: the stage is rolled back to the original weights and the operation fails naming the reason', async () => {
    hook = await startVerifyHook((r) => (r.stage === 1 ? { ok: false, reason: 'error rate too high' } : { ok: true }));
    lb = testLifeboat(pf.cloud(), { LIFEBOAT_VERIFY_HOOK_URL: hook.url, LIFEBOAT_OUTBOUND_HOSTS: '127.0.0.1' });
    lb.startWorker();
    const id = await submit(lb, { kind: 'evacuate', region: 'us-east-1', services: ['api'], pace: 'stages', stages: 2 });
    const done = await lb.waitFor(id, undefined, 30_000);

    expect(done.state).toBe('failed');
    expect(done.error!.code).toBe('LB_ERR_VERIFICATION_FAILED');
    expect(done.error!.message).toContain('error rate too high');
    expect(hook.requests.map((r) => r.stage)).toEqual([1]);
    // Stage 1 was applied, then undone.
    expect(pf.counted({ action: 'ChangeResourceRecordSets', outcome: 'ok' })).toBe(2);
    expect((await pf.fleet.state()).weights).toEqual(initial.weights);
    expect(stepOf(done, 'stage-2/apply-weights').attempts).toBe(0);
    // The report says where the weights are: back where they were, not stage 1's.
    expect(done.result!.summary).not.toContain('weights are those of stage 1');
    expect(done.result!.summary).toContain('weights are as they were before the operation');

    figures('verify hook says no at stage 1', {
      hookCalls: hook.requests.length,
      weightBatches: pf.counted({ action: 'ChangeResourceRecordSets', outcome: 'ok' }),
      verifyMs: stepMs(done, 'stage-1/verify'),
      rolledBack: 'to original',
    });
  });

  it('capacity lost after the prescale: the pin is put back and the weights fall to what the capacity in service serves', async () => {
    lb = testLifeboat(pf.cloud());
    lb.startWorker();
    const id = await submit(lb, { kind: 'evacuate', region: 'us-east-1', services: ['api'], pace: 'stages', stages: 2, dwellSeconds: 2 });
    const dwelling = await untilStep(lb, id, 'stage-1/dwell');
    // Instances go away behind lifeboat's back (straight to moto): api-us-west-2 back to 6.
    const direct = new AutoScalingClient({ region: 'us-west-2', endpoint: pf.fleet.endpoint, credentials: DUMMY_CREDENTIALS });
    await direct.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'api-us-west-2', MinSize: 2, DesiredCapacity: 6 }));
    direct.destroy();
    const lostAt = Date.now();
    const done = await lb.waitFor(id, undefined, 30_000);

    expect(done.state).toBe('failed');
    expect(done.error!.code).toBe('LB_ERR_VERIFICATION_FAILED');
    expect(done.error!.message).toContain('api in us-west-2 has 6 in service');
    const needed = dwelling.plan!.stages[0]!.load.find((l) => l.service === 'api' && l.region === 'us-west-2')!.needed;
    expect(done.error!.details).toMatchObject({ stage: 1, rolledBackTo: 'servable', short: [{ service: 'api', region: 'us-west-2', inService: 6 }] });
    // Re-pinned at the pin the prescale set, then, the operation having failed, let go (onFailure: unpin, the default):
    // its own MinSize back, the capacity put back kept for its own scaling to judge.
    const pin = dwelling.plan!.groupChanges.find((c) => c.group === 'api-us-west-2')!.to;
    expect(done.error!.details!.repinned).toMatchObject([{ region: 'us-west-2', group: 'api-us-west-2', minSize: pin.minSize, desiredCapacity: pin.desiredCapacity }]);
    expect(done.result!.unpinned!.map((u) => u.group).sort()).toEqual(['api-eu-west-1', 'api-us-west-2']);
    const after = await pf.fleet.state();
    expect(after.groups['us-west-2/api-us-west-2']!.slice(0, 2)).toEqual([initial.groups['us-west-2/api-us-west-2']![0], pin.desiredCapacity]);
    // No survivor carries more than the capacity it had in service serves; what they cannot take stays on us-east-1.
    const shares = sharesOf(after.weights[API]!);
    expect(shares['us-west-2']!).toBeLessThanOrEqual(servable('us-west-2', 6) + 1e-9);
    expect(shares['eu-west-1']!).toBeLessThanOrEqual(servable('eu-west-1', (await pf.inService())['eu-west-1/api-eu-west-1']!) + 1e-9);
    expect(shares['us-east-1']!).toBeGreaterThan(0);
    expect(stepOf(done, 'stage-2/apply-weights').attempts).toBe(0);
    expect(done.result!.summary).toContain('weights are those the capacity in service serves');
    expect(done.result!.served!.map((r) => r.region).sort()).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
    expect(done.result!.served!.every((r) => r.served)).toBe(true);

    figures('capacity lost after prescale', {
      inServiceWest: 6,
      neededWest: needed,
      fellBackAfterMs: at(done.finishedAt) - lostAt,
      shareWest: shares['us-west-2']!.toFixed(4),
      shareEu: shares['eu-west-1']!.toFixed(4),
      shareEast: shares['us-east-1']!.toFixed(4),
      weightBatches: pf.counted({ action: 'ChangeResourceRecordSets', outcome: 'ok' }),
    });
  });
});
