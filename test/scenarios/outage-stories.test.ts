import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIN_TAGS } from '../../src/core/pins';
import type { DemoFleetSpec } from '../../src/sandbox/fleet/seed-fleet';
import { eventually } from '../support/eventually';
import type { AwsState } from '../support/moto-fleet';
import { deleteKeysMatching } from '../support/redis-cleanup';
import type { DeployedLifeboat } from './support/deployed-lifeboat';
import { STARTUP_HOOK_MS, startDeployedLifeboat, stopEveryDeployment } from './support/deployed-lifeboat';
import { survivorTargets } from '../support/expected-sizes';

/**
 * Outages met by lifeboat as deployed (npm start and npm run worker as processes, moto behind
 * the fault proxy), told through the HTTP API with no reset between the steps: Redis loses
 * every key while an evacuation dwells, and the fleet is recovered from what AWS itself
 * records; a region stops answering while a plan is made and while its evacuation runs.
 */

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const SERVICE = 'api';
const DNS = 'api.example.com';
const SPEC: DemoFleetSpec = {
  regions: REGIONS,
  services: [{ name: SERVICE, dns: DNS, regions: Object.fromEntries(REGIONS.map((r) => [r, { desired: 6, min: 2, max: 40, weight: 100 }])) }],
};

let deployed: DeployedLifeboat;
let seeded: AwsState;

beforeAll(async () => {
  deployed = await startDeployedLifeboat(SPEC, {
    // Short leases and a production-like patience for a region that hangs (the plan's read has its own deadline).
    env: { LIFEBOAT_LEASE_TTL: '3', LIFEBOAT_PLAN_READ_TIMEOUT_MS: '10000' },
  });
  seeded = await deployed.pf.fleet.state();
}, STARTUP_HOOK_MS);

afterAll(async () => {
  await stopEveryDeployment();
}, 60_000);

const group = (region: string) => `${region}/${SERVICE}-${region}`;
const state = () => deployed.pf.fleet.state();

/** Every group's tags as AWS holds them, by "region/group". */
async function tagsInAws(): Promise<Record<string, Record<string, string>>> {
  const reading = await deployed.pf.fleet.cloud().readFleet();
  return Object.fromEntries(reading.groups.map((g) => [`${g.region}/${g.name}`, g.tags]));
}

/** Until the fleet is as seeded (weights, bounds; DesiredCapacity at least as seeded), whatever the story left. */
async function expectSeededBounds(): Promise<void> {
  const now = await state();
  expect(now.weights).toEqual(seeded.weights);
  for (const [g, [min, desired, max]] of Object.entries(seeded.groups)) {
    const [minNow, desiredNow, maxNow] = now.groups[g]!;
    expect([minNow, maxNow], g).toEqual([min, max]);
    expect(desiredNow, g).toBeGreaterThanOrEqual(desired);
  }
}

describe('Redis loses every key while the processes run', () => {
  it('mid-evacuation: the fleet view reports what AWS still records, and a planned reconcile brings the weights and bounds back; the processes carry on', async () => {
    const start = await state();
    const submitted = await deployed.api.call('POST', '/v1/operations', { body: { kind: 'evacuate', region: 'us-east-1', stages: 2, pace: 'stages', dwellSeconds: 60 } });
    expect(submitted.status, submitted.text).toBe(202);
    const id = submitted.body.operation.id as string;
    const dwelling = await eventually(`stage 1 dwelling\n${deployed.output()}`, async () => {
      const view = (await deployed.api.call('GET', `/v1/operations/${id}`)).body.operation;
      return view.steps.some((s: { id: string; state: string }) => s.id === 'stage-1/dwell' && s.state === 'running') && view;
    }, { timeoutMs: 90_000, everyMs: 100 });
    const pinned = (dwelling.plan.groupChanges as Array<{ region: string; group: string }>).map((c) => `${c.region}/${c.group}`);
    expect(pinned.length).toBeGreaterThan(0);

    // Every key under the processes' prefix goes, as a Redis restart without persistence would leave it.
    await deleteKeysMatching(deployed.lb.redis, `${deployed.lb.deps.settings.LIFEBOAT_REDIS_PREFIX}:*`);
    expect((await deployed.api.call('GET', `/v1/operations/${id}`)).status).toBe(404);

    // AWS still holds the pins: the fleet view names the lost operation, and what each group ran before it.
    const view = await deployed.api.call('GET', '/v1/fleet?fresh=true');
    expect(view.status, view.text).toBe(200);
    expect(view.body.unfinished).toHaveLength(1);
    const unfinished = view.body.unfinished[0];
    expect(unfinished.operationId).toBe(id);
    expect(unfinished.groups.map((g: { region: string; group: string }) => `${g.region}/${g.group}`).sort()).toEqual([...pinned].sort());
    expect(unfinished.groups.length).toBeGreaterThan(0);
    for (const g of unfinished.groups) {
      const [min, desired, max] = start.groups[`${g.region}/${g.group}`]!;
      expect(g.pinnedFrom).toEqual({ minSize: min, desiredCapacity: desired, maxSize: max });
    }

    // A restore has no evacuation to undo; the reconcile, planned first, returns to the recorded weights.
    const restore = await deployed.api.call('POST', '/v1/operations', { body: { kind: 'restore', region: 'us-east-1' } });
    expect(restore.status).toBe(409);
    expect(restore.body.error.code).toBe('LB_ERR_REGION_NOT_EVACUATED');
    const dry = await deployed.api.call('POST', '/v1/operations', { body: { kind: 'reconcile', dryRun: true } });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body.plan.blockers).toEqual([]);
    // The processes lost their queues' keys too: the reconcile still runs, in one of them.
    const done = await deployed.run({ kind: 'reconcile', stages: 2, dwellSeconds: 0 });
    expect(done.state, `${JSON.stringify(done.error)}\n${deployed.output()}`).toBe('succeeded');
    await expectSeededBounds();
    for (const [g, t] of Object.entries(await tagsInAws())) for (const key of PIN_TAGS) expect(t[key], `${g} ${key}`).toBeUndefined();
    expect((await deployed.api.call('GET', '/v1/fleet?fresh=true')).body.unfinished).toEqual([]);

    // And the next evacuation after the loss is sized from the fleet as it is now, and is restored as usual.
    const now = await state();
    const expected = survivorTargets(now, DNS, SERVICE, 'us-east-1');
    const again = await deployed.run({ kind: 'evacuate', region: 'us-east-1', stages: 1, pace: 'stages' });
    expect(again.state, JSON.stringify(again.error)).toBe('succeeded');
    const evacuated = await state();
    for (const [region, target] of Object.entries(expected)) expect(evacuated.groups[group(region)]![1], region).toBe(target);
    const restored = await deployed.run({ kind: 'restore', region: 'us-east-1', scaleDownSurvivors: true });
    expect(restored.state, JSON.stringify(restored.error)).toBe('succeeded');
    expect((await state()).weights).toEqual(seeded.weights);
  }, 240_000);
});

describe('a region that stops answering', () => {
  it('during a plan and during its evacuation: planned from its last good reading, evacuated without a write to it, restored once it answers', async () => {
    const hung = 'eu-west-1';
    const before = await state();
    // A good read first: lifeboat keeps each region's last good reading.
    expect((await deployed.api.call('POST', '/v1/plans', { body: { kind: 'evacuate', region: hung } })).status).toBe(200);
    deployed.pf.proxy.patchProfile({ unreachable: [{ region: hung, service: 'autoscaling', mode: 'hang' }] });
    deployed.pf.proxy.resetCounters();
    try {
      const planned = await deployed.api.call('POST', '/v1/plans', { body: { kind: 'evacuate', region: hung, stages: 2 } });
      expect(planned.status, planned.text).toBe(200);
      const stale = planned.body.plan.warnings.find((w: { code: string }) => w.code === 'REGION_FROM_SNAPSHOT');
      expect(stale, JSON.stringify(planned.body.plan.warnings)).toBeDefined();
      expect(stale.details).toMatchObject({ region: hung });
      expect(planned.body.plan.blockers).toEqual([]);
      const expected = survivorTargets(before, DNS, SERVICE, hung);
      for (const [region, target] of Object.entries(expected)) {
        const change = planned.body.plan.groupChanges.find((c: { region: string }) => c.region === region);
        expect(change?.to.desiredCapacity, region).toBe(target);
      }

      const done = await deployed.run({ kind: 'evacuate', region: hung, stages: 2, pace: 'stages', dwellSeconds: 0 }, 120_000);
      expect(done.state, `${JSON.stringify(done.error)}\n${deployed.output()}`).toBe('succeeded');
      const after = await state();
      expect(after.weights[DNS]![hung]).toBe(0);
      for (const [region, target] of Object.entries(expected)) expect(after.groups[group(region)]![1], region).toBe(target);
      // Nothing but reads was sent to the hung region's own endpoints.
      const writes = deployed.pf.proxy
        .counters()
        .filter((c) => c.region === hung && c.service !== 'route53' && !c.action.startsWith('Describe'))
        .reduce((a, c) => a + c.count, 0);
      expect(writes).toBe(0);
    } finally {
      deployed.pf.proxy.patchProfile({ unreachable: [] });
    }
    const restored = await deployed.run({ kind: 'restore', region: hung, scaleDownSurvivors: true }, 120_000);
    expect(restored.state, `${JSON.stringify(restored.error)}\n${deployed.output()}`).toBe('succeeded');
    expect((await state()).weights).toEqual(before.weights);
  }, 240_000);
});
