import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoFleetSpec } from '../../src/sandbox/fleet/seed-fleet';
import { INSTANT } from '../../src/sandbox/proxy/named-profiles';
import { eventually } from '../support/eventually';
import type { AwsState } from '../support/moto-fleet';
import type { DeployedLifeboat } from './support/deployed-lifeboat';
import { STARTUP_HOOK_MS, startDeployedLifeboat, stopEveryDeployment } from './support/deployed-lifeboat';
import { survivorTargets } from '../support/expected-sizes';

/**
 * Stories told through the HTTP API of lifeboat as deployed (npm start and npm run worker as
 * processes, moto behind the fault proxy), step after step with no reset in between: what one
 * operation leaves is what the next one starts from. Each story reads the fleet from moto when
 * it starts and works its expectations out from that.
 */

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const SERVICE = 'api';
const DNS = 'api.example.com';
const SPEC: DemoFleetSpec = {
  regions: REGIONS,
  services: [{ name: SERVICE, dns: DNS, regions: Object.fromEntries(REGIONS.map((r) => [r, { desired: 6, min: 2, max: 40, weight: 100 }])) }],
};
const EVACUATED = 'us-east-1';
const SURVIVORS = REGIONS.filter((r) => r !== EVACUATED);
const READINESS_INTERVAL_S = 1;
const RUNBOOK_EVERY_S = 2;

let deployed: DeployedLifeboat;

beforeAll(async () => {
  deployed = await startDeployedLifeboat(SPEC, {
    // A loaded machine's moto can take seconds to answer: the plan's read deadline (3 s by default) is not what these stories test.
    env: { LIFEBOAT_READINESS_INTERVAL: String(READINESS_INTERVAL_S), LIFEBOAT_PLAN_READ_TIMEOUT_MS: '30000' },
    schedules: `- runbook: readiness-report\n  cron: "*/${RUNBOOK_EVERY_S} * * * * *"\n  params: { failWhenNotReady: false }\n`,
  });
}, STARTUP_HOOK_MS);

afterAll(async () => {
  await stopEveryDeployment();
}, 60_000);

const group = (region: string) => `${region}/${SERVICE}-${region}`;
const state = () => deployed.pf.fleet.state();

/** Evacuates, checks the survivors run what the rule says for the fleet it started from, and returns the fleet after. */
async function evacuate(): Promise<AwsState> {
  const before = await state();
  const expected = survivorTargets(before, DNS, SERVICE, EVACUATED);
  expect(Object.keys(expected).sort()).toEqual([...SURVIVORS].sort());
  const done = await deployed.run({ kind: 'evacuate', region: EVACUATED, stages: 2, pace: 'stages' });
  expect(done.state, `${JSON.stringify(done.error)}\n${deployed.output()}`).toBe('succeeded');
  const after = await state();
  expect(after.weights[DNS]![EVACUATED]).toBe(0);
  // Route 53 keeps the scale the weights had (weights.ts): the evacuated region's weight goes to the survivors in proportion to theirs.
  const total = REGIONS.reduce((a, r) => a + before.weights[DNS]![r]!, 0);
  const survivorsTotal = SURVIVORS.reduce((a, r) => a + before.weights[DNS]![r]!, 0);
  for (const region of SURVIVORS) {
    expect(after.weights[DNS]![region], region).toBe((before.weights[DNS]![region]! * total) / survivorsTotal);
    const [min, desired, max] = after.groups[group(region)]!;
    // Pinned at the target while evacuated: MinSize raised to it, so the group's own scaling cannot shrink it.
    expect({ region, min, desired, max }).toEqual({ region, min: expected[region], desired: expected[region], max: before.groups[group(region)]![2] });
  }
  return after;
}

describe('evacuate, restore, evacuate again', () => {
  it('with scaleDownSurvivors, the second evacuation sizes the survivors exactly as the first did', async () => {
    const start = await state();
    const first = await evacuate();
    const restored = await deployed.run({ kind: 'restore', region: EVACUATED, scaleDownSurvivors: true });
    expect(restored.state, JSON.stringify(restored.error)).toBe('succeeded');
    // Everything as before the evacuation: weights, and every group's bounds and DesiredCapacity.
    expect(await state()).toEqual(start);
    const second = await evacuate();
    expect(second).toEqual(first);
    const back = await deployed.run({ kind: 'restore', region: EVACUATED, scaleDownSurvivors: true });
    expect(back.state).toBe('succeeded');
    expect(await state()).toEqual(start);
  }, 240_000);

  it('without it, the survivors keep what they grew to and the second evacuation sizes them from that', async () => {
    const start = await state();
    const first = await evacuate();
    const restored = await deployed.run({ kind: 'restore', region: EVACUATED });
    expect(restored.state, JSON.stringify(restored.error)).toBe('succeeded');
    const between = await state();
    expect(between.weights).toEqual(start.weights);
    for (const region of SURVIVORS) {
      // MinSize back as it was, DesiredCapacity left where the evacuation put it (the group's own scaling brings it down).
      const [min, desired, max] = between.groups[group(region)]!;
      expect([min, desired, max]).toEqual([start.groups[group(region)]![0], first.groups[group(region)]![1], start.groups[group(region)]![2]]);
    }
    expect(between.groups[group(EVACUATED)]).toEqual(start.groups[group(EVACUATED)]);
    // evacuate() works the targets out from `between`: each survivor's own instances per unit
    // of share are now higher, so it grows further than the first time (the ratchet the
    // default model implies when survivors are not scaled down between evacuations).
    const second = await evacuate();
    for (const region of SURVIVORS) expect(second.groups[group(region)]![1]).toBeGreaterThan(first.groups[group(region)]![1]);
    const back = await deployed.run({ kind: 'restore', region: EVACUATED, scaleDownSurvivors: true });
    expect(back.state).toBe('succeeded');
    expect((await state()).weights).toEqual(start.weights);
  }, 240_000);
});

describe('maintenance running in the deployed processes', () => {
  it('readiness is recomputed on its schedule and says what each evacuation would need; the scheduled runbook runs', async () => {
    const fleetNow = await state();
    // Every region serves (no story left one evacuated), so each has survivors to size.
    for (const region of REGIONS) expect(fleetNow.weights[DNS]![region], region).toBeGreaterThan(0);
    const since = Date.now();
    const report = await eventually('a readiness report computed after this test started', async () => {
      const res = await deployed.api.call('GET', '/v1/readiness');
      return res.status === 200 && Date.parse(res.body.readiness.computedAt) >= since && res.body;
    }, { timeoutMs: 60_000, everyMs: 200 });
    expect(report.intervalSeconds).toBe(READINESS_INTERVAL_S);
    const regions = report.readiness.regions as Array<{ region: string; ready: boolean; services: Array<{ service: string; survivors: Array<{ region: string; needed: number }> }> }>;
    expect(regions.map((r) => r.region).sort()).toEqual([...REGIONS].sort());
    for (const r of regions) {
      const expected = survivorTargets(fleetNow, DNS, SERVICE, r.region);
      const api = r.services.find((s) => s.service === SERVICE)!;
      expect(api.survivors.length, r.region).toBeGreaterThan(0);
      expect(Object.fromEntries(api.survivors.map((s) => [s.region, s.needed])), r.region).toEqual(expected);
      expect(r.ready, r.region).toBe(true);
    }
    // And again: the schedule keeps running.
    await eventually('a second readiness report', async () => {
      const res = await deployed.api.call('GET', '/v1/readiness');
      return res.body.readiness.computedAt !== report.readiness.computedAt;
    }, { timeoutMs: 60_000, everyMs: 200 });

    // The scheduled readiness-report runbook ran as the schedule, since the processes started.
    const run = await eventually('a scheduled readiness-report run that finished', async () => {
      const runs = await deployed.lb.deps.runs.list(100);
      return runs.find((r) => r.data.actor === 'schedule' && r.data.runbook === 'readiness-report' && r.data.checkpoint.state === 'succeeded');
    }, { timeoutMs: 60_000, everyMs: 200 });
    expect(run.data.id).toMatch(/^run_sched_/);
    const seen = await deployed.api.call('GET', `/v1/operations/${run.data.id}`);
    expect(seen.status, seen.text).toBe(200);
  }, 120_000);

  it('/readyz stays ready with a region down, and a plan says which region it could not read fresh', async () => {
    // A good read first, so the region has a last good reading.
    expect((await deployed.api.call('POST', '/v1/plans', { body: { kind: 'evacuate', region: EVACUATED } })).status).toBe(200);
    deployed.pf.proxy.patchProfile({ unreachable: [{ region: 'eu-west-1', service: 'autoscaling', mode: 'reset' }] });
    try {
      const ready = await deployed.api.call('GET', '/readyz', { headers: { authorization: '' } });
      expect(ready.status, ready.text).toBe(200);
      expect(ready.body.status).toBe('ready');
      const status = await deployed.api.call('GET', '/v1/status');
      expect(status.body.status.awsDown).toContain('autoscaling:eu-west-1');
      expect(status.body.status.workers.connected).toBe(2);
    } finally {
      deployed.pf.proxy.patchProfile({ unreachable: [] });
    }
  }, 60_000);
});

describe('two processes racing for the AWS quota buckets', () => {
  it('an evacuation polling capacity while the API reads the fleet over and over: the proxy never throttles, though together they asked for more than the quota', async () => {
    const start = await state();
    // AWS's documented quotas in the proxy; lifeboat's buckets (shared through Redis) are the same.
    deployed.pf.proxy.setProfile({ name: 'quotas', throttling: { enabled: true }, launch: { launchSeconds: 3 } });
    deployed.pf.proxy.resetCounters();
    try {
      const submitted = await deployed.api.call('POST', '/v1/operations', { body: { kind: 'evacuate', region: EVACUATED, stages: 1, pace: 'stages' } });
      expect(submitted.status, submitted.text).toBe(202);
      // Meanwhile the API process reads the fleet, fresh, in bursts of 10 at once (a dashboard left open on many screens).
      const reads: number[] = [];
      for (let burst = 0; burst < 4; burst++) {
        const answers = await Promise.all(Array.from({ length: 10 }, () => deployed.api.call('GET', '/v1/fleet?fresh=true')));
        reads.push(...answers.map((a) => a.status));
      }
      expect(reads.length).toBe(40);
      for (const status of reads) expect(status).toBe(200);
      const done = await deployed.finished(submitted.body.operation.id);
      expect(done.state, `${JSON.stringify(done.error)}\n${deployed.output()}`).toBe('succeeded');

      // Together they made more Auto Scaling reads in a region than its burst (20): the buckets were contended.
      const describes = Math.max(...REGIONS.map((region) => deployed.pf.counted({ service: 'autoscaling', region, action: 'DescribeAutoScalingGroups' })));
      expect(describes).toBeGreaterThan(20);
      // And AWS (the proxy, counting against the same quotas) never had to throttle any of it.
      expect(deployed.pf.counted({ outcome: 'throttled' })).toBe(0);
    } finally {
      deployed.pf.proxy.setProfile(INSTANT);
    }
    const back = await deployed.run({ kind: 'restore', region: EVACUATED, scaleDownSurvivors: true });
    expect(back.state).toBe('succeeded');
    expect(await state()).toEqual(start);
  }, 180_000);
});
