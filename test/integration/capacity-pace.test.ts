import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DemoFleetSpec } from '../../src/sandbox/fleet/seed-fleet';
import type { PacedStageRecord } from '../../src/operations/steps/follow-capacity-records';
import { at, figures, sharesOf, stepOf, submit } from '../support/fault-scenarios';
import type { TestLifeboat } from '../support/harness';
import { testLifeboat } from '../support/harness';
import type { ProxiedFleet } from '../support/proxied-fleet';
import { startProxiedFleet } from '../support/proxied-fleet';

/**
 * An evacuation paced by capacity, through the fault proxy in front of moto, with new
 * instances taking seconds to come into service: the survivors' headroom moves at once,
 * the rest as the instances arrive, and every stage is within the capacity recorded for it.
 */

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
const FAILING = 'us-east-1';
const UTILIZATION = 0.6; // the throughput model's default
const HEADROOM = 1.3; // each region's instances serve 30 % more than its third
const each = <T>(spec: T) => Object.fromEntries(REGIONS.map((r) => [r, { ...spec }]));
const SERVICES = [
  { name: 'api', dns: 'api.example.com', capacityPerInstance: 100, desired: 6 },
  { name: 'web', dns: 'www.example.com', capacityPerInstance: 50, desired: 4 },
];
/** Demand such that each region's instances serve HEADROOM × its third of it. */
const demandOf = (s: (typeof SERVICES)[number]) => (3 * s.desired * s.capacityPerInstance * UTILIZATION) / HEADROOM;
const SPEC: DemoFleetSpec = {
  regions: REGIONS,
  services: SERVICES.map((s) => ({ name: s.name, dns: s.dns, capacityPerInstance: s.capacityPerInstance, regions: each({ desired: s.desired, min: 1, max: 20, weight: 100 }) })),
};

let pf: ProxiedFleet;
let lb: TestLifeboat | undefined;

beforeAll(async () => {
  pf = await startProxiedFleet(SPEC);
}, 180_000);

afterEach(async () => {
  await lb?.close();
  lb = undefined;
});

afterAll(async () => {
  await pf?.stop();
});

/** The share of the whole service `instances` serve by the throughput model's formula, computed here. */
function servedBy(name: string, instances: number): number {
  const s = SERVICES.find((x) => `${x.dns}.` === name || x.dns === name)!;
  return (instances * s.capacityPerInstance * UTILIZATION) / demandOf(s);
}

describe('an evacuation paced by capacity (launches take seconds)', () => {
  it('moves the headroom at once and the rest as capacity arrives; each stage is within the capacity recorded for it, and the result reports relief and impact', async () => {
    // A loaded machine must not fail the fleet read the plan is made from: this test is not about its deadline.
    lb = testLifeboat(pf.cloud(), { LIFEBOAT_PLAN_READ_TIMEOUT_MS: '20000' });
    lb.startWorker();
    pf.proxy.setProfile({ name: 'slow-launch', launch: { launchSeconds: 2 }, dns: { propagationSeconds: 0.3 } });
    const id = await submit(lb, {
      kind: 'evacuate',
      region: FAILING,
      model: 'throughput',
      serviceParameters: Object.fromEntries(SERVICES.map((s) => [s.name, { demand: demandOf(s) }])),
      dwellSeconds: 0.2,
    });
    const done = await lb.waitFor(id, undefined, 60_000);
    expect(done.state, JSON.stringify(done.error)).toBe('succeeded');
    // The headroom moves before the prescale; the rest follows the capacity after it.
    expect(done.steps.map((s) => s.id)).toEqual(['guard', 'follow-capacity/headroom', 'prescale', 'follow-capacity']);
    const headroom = stepOf(done, 'follow-capacity/headroom').detail!.stages as PacedStageRecord[];
    const stages = [...headroom, ...(stepOf(done, 'follow-capacity').detail!.stages as PacedStageRecord[])];
    expect(headroom.map((s) => s.stage)).toEqual([1, 1]);
    const names = [...new Set(stages.map((s) => s.name))].sort();
    expect(names).toHaveLength(2);
    for (const name of names) {
      const mine = stages.filter((s) => s.name === name);
      // The first stage moved what the instances running before the evacuation serve: their headroom, before any launch.
      const first = mine[0]!;
      for (const c of first.capacity) expect(c.inService).toBe(SERVICES.find((s) => s.name === c.service)!.desired);
      expect(first.failingShare).toBeGreaterThan(0);
      expect(first.failingShare).toBeLessThan(1 / 3);
      // Then more as capacity came, until the failing region has none left.
      expect(mine.length).toBeGreaterThan(1);
      expect(mine.at(-1)!.failingShare).toBe(0);
      let previous: Record<string, number> = { [FAILING]: 1 / 3, 'us-west-2': 1 / 3, 'eu-west-1': 1 / 3 };
      for (const stage of mine) {
        // Each survivor within max(what it had, what its recorded instances in service serve), bound computed here.
        for (const c of stage.capacity) {
          const bound = Math.max(previous[c.region]!, servedBy(name, c.inService));
          expect(stage.shares[c.region]!, `${name} stage ${stage.stage} ${c.region}`).toBeLessThanOrEqual(bound + 1e-9);
        }
        // Took effect (in sync), dwelt and was verified, in that order (how long the dwell took is
        // a figure, not asserted here); the failing region never gained.
        expect(at(stage.insyncAt)).toBeGreaterThanOrEqual(at(stage.setAt));
        expect(at(stage.verifiedAt)).toBeGreaterThanOrEqual(at(stage.insyncAt));
        expect(stage.failingShare).toBeLessThanOrEqual(previous[FAILING]! + 1e-9);
        previous = stage.shares;
      }
    }

    // What Route 53 holds now: nothing on the failing region.
    const weights = (await pf.fleet.state()).weights;
    for (const name of names) expect(sharesOf(weights[name.replace(/\.$/, '')] ?? weights[name]!)[FAILING]).toBe(0);

    // Relief and impact, computed here from the recorded stages: the share steps down when each stage is in sync.
    const start = at(done.createdAt);
    let impact = 0;
    for (const name of names) {
      let share = 1 / 3;
      let since = start;
      for (const s of stages.filter((x) => x.name === name)) {
        impact += share * (at(s.insyncAt) - since);
        since = at(s.insyncAt);
        share = s.failingShare;
      }
    }
    const relief = done.result!.relief!;
    expect(relief.mitigated).toBe(true);
    expect(relief.impactShareSeconds).toBeCloseTo(impact / 1000, 6);
    expect(relief.firstReliefSeconds).toBeCloseTo((Math.min(...stages.map((s) => at(s.insyncAt))) - start) / 1000, 6);
    expect(relief.mitigateSeconds).toBeCloseTo((Math.max(...stages.map((s) => at(s.insyncAt))) - start) / 1000, 6);
    expect(relief.names.map((n) => n.name).sort()).toEqual(names);

    figures('paced by capacity (launch 2 s)', {
      stages: stages.length,
      firstReliefSeconds: relief.firstReliefSeconds!.toFixed(2),
      mitigateSeconds: relief.mitigateSeconds!.toFixed(2),
      impactShareSeconds: relief.impactShareSeconds.toFixed(3),
    });
  });
});
