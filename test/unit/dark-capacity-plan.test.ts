import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { AutoScalingGroupReading } from '../../src/core/fleet';
import { DEFAULT_PLAN_CONTEXT, plan } from '../../src/core/planner/plan';
import type { Plan } from '../../src/core/planner/plan-types';
import { computeReadiness } from '../../src/core/readiness';
import { assembleSnapshot } from '../../src/core/snapshot';
import { renderPlan } from '../../src/text/plan-text';
import type { ServiceSpec } from '../support/fleet-fixture';
import { fleetReading } from '../support/fleet-fixture';

const ctx = { ...DEFAULT_PLAN_CONTEXT, models: loadModels() };

/** api: 10 instances and weight 100 in each of three regions; web: 6/12/6 with weights 1/2/1 (as in planner.test.ts). */
const services: ServiceSpec[] = [
  {
    name: 'api',
    dns: 'api.example.com',
    regions: {
      'us-east-1': { desired: 10, min: 2, max: 20, weight: 100 },
      'us-west-2': { desired: 10, min: 2, max: 20, weight: 100 },
      'eu-west-1': { desired: 10, min: 2, max: 20, weight: 100 },
    },
  },
  {
    name: 'web',
    dns: 'www.example.com',
    regions: {
      'us-east-1': { desired: 6, min: 1, max: 30, weight: 1 },
      'us-west-2': { desired: 12, min: 1, max: 30, weight: 2 },
      'eu-west-1': { desired: 6, min: 1, max: 30, weight: 1 },
    },
  },
];

/** The fleet, with some groups changed (a warm pool, a tag) before it is assembled. */
function fleetWith(change: (g: AutoScalingGroupReading) => void = () => undefined) {
  const reading = fleetReading(services);
  reading.groups.forEach(change);
  return assembleSnapshot(reading);
}

const poolOf = (p: Plan, group: string) => p.warmPoolChanges?.find((c) => c.group === group);

describe('sizing warm pools for the loss of the largest neighbour (prepare-dark-capacity)', () => {
  const p = plan(fleetWith(), { kind: 'prepare-dark-capacity' }, ctx);

  it('gives every group the most it would grow when any one neighbour is lost', () => {
    // api (proportional, 10% headroom): losing any region, each survivor takes 1/6 more of the
    // traffic at 30 instances per unit share: 10 + 5 × 1.1 = 15.5 → 16, a growth of 6 everywhere.
    for (const region of ['us-east-1', 'us-west-2', 'eu-west-1']) {
      expect(poolOf(p, `api-${region}`)).toMatchObject({ growth: 6, to: { minSize: 6, maxGroupPreparedCapacity: 16, poolState: 'Stopped' } });
    }
    // web, 24 instances per unit share: losing us-west-2 (1/2), us-east-1 and eu-west-1 each take
    // 1/4: 6 + 6 × 1.1 = 12.6 → 13 (+7); losing us-east-1, us-west-2 takes 1/6: 12 + 4 × 1.1 = 16.4 → 17 (+5).
    expect(poolOf(p, 'web-us-east-1')).toMatchObject({ growth: 7, forLossOf: 'us-west-2', to: { minSize: 7, maxGroupPreparedCapacity: 13 } });
    expect(poolOf(p, 'web-eu-west-1')).toMatchObject({ growth: 7, forLossOf: 'us-west-2', to: { minSize: 7, maxGroupPreparedCapacity: 13 } });
    expect(poolOf(p, 'web-us-west-2')).toMatchObject({ growth: 5, to: { minSize: 5, maxGroupPreparedCapacity: 17 } });
  });

  it('changes only warm pools: no group sizes, no weights', () => {
    expect(p.blockers).toEqual([]);
    expect(p.warmPoolChanges).toHaveLength(6);
    expect(p.groupChanges).toEqual([]);
    expect(p.stages).toEqual([]);
  });

  it('shows the pools it sets in the plan text', () => {
    const text = renderPlan(p);
    expect(text).toContain('Warm pools (dark capacity):');
    expect(text).toMatch(/web-us-east-1.*none.*min 7, prepared ≤ 13, Stopped.*us-west-2 \(\+7\)/);
  });

  it('leaves a warm pool it did not create as it is, and says so when it is smaller than the growth', () => {
    const theirs = plan(fleetWith((g) => g.name === 'web-us-east-1' && (g.warmPool = { size: 2, minSize: 2, poolState: 'Stopped' })), { kind: 'prepare-dark-capacity' }, ctx);
    expect(poolOf(theirs, 'web-us-east-1')).toBeUndefined();
    expect(theirs.warnings).toContainEqual(expect.objectContaining({ code: 'WARM_POOL_NOT_OURS', details: expect.objectContaining({ group: 'web-us-east-1', growth: 7, warm: 2 }) }));
  });

  it('plans nothing when the pools it created already have those sizes (safe to run twice)', () => {
    const first = plan(fleetWith(), { kind: 'prepare-dark-capacity' }, ctx);
    const sized = new Map(first.warmPoolChanges!.map((c) => [c.group, c.to!]));
    const again = plan(
      fleetWith((g) => {
        const to = sized.get(g.name)!;
        g.warmPool = { size: to.minSize, minSize: to.minSize, maxGroupPreparedCapacity: to.maxGroupPreparedCapacity, poolState: to.poolState };
        g.tags['lifeboat:warm-pool'] = 'created';
      }),
      { kind: 'prepare-dark-capacity' },
      ctx,
    );
    expect(again.warmPoolChanges).toEqual([]);
    expect(again.blockers.map((b) => b.code)).toEqual(['LB_ERR_NOTHING_TO_DO']);
  });
});

describe('releasing dark capacity', () => {
  it('deletes only the warm pools lifeboat created', () => {
    const snapshot = fleetWith((g) => {
      if (g.name === 'api-us-west-2') {
        g.warmPool = { size: 6, minSize: 6, maxGroupPreparedCapacity: 16, poolState: 'Stopped' };
        g.tags['lifeboat:warm-pool'] = 'created';
      }
      if (g.name === 'api-eu-west-1') g.warmPool = { size: 3, minSize: 3, poolState: 'Stopped' };
    });
    const p = plan(snapshot, { kind: 'release-dark-capacity' }, ctx);
    expect(p.warmPoolChanges).toEqual([expect.objectContaining({ group: 'api-us-west-2', to: null })]);
  });

  it('has nothing to do on a fleet without pools lifeboat created', () => {
    expect(plan(fleetWith(), { kind: 'release-dark-capacity' }, ctx).blockers.map((b) => b.code)).toEqual(['LB_ERR_NOTHING_TO_DO']);
  });
});

describe('how much of a survivor’s growth its warm pool covers', () => {
  it('takes growth from the pool up to its warm instances and launches the rest cold', () => {
    // Evacuating us-east-1: web in us-west-2 grows 12 → 17 (+5), its pool holds 3 warm: 3 warm, 2 cold;
    // api in us-west-2 grows 10 → 16 (+6), its pool holds 8: all 6 warm. eu-west-1 has no pools: all cold.
    const snapshot = fleetWith((g) => {
      if (g.name === 'web-us-west-2') g.warmPool = { size: 3, minSize: 3, poolState: 'Stopped' };
      if (g.name === 'api-us-west-2') g.warmPool = { size: 8, minSize: 8, poolState: 'Stopped' };
    });
    const p = plan(snapshot, { kind: 'evacuate', region: 'us-east-1' }, ctx);
    expect(p.warmCoverage).toEqual([
      { service: 'api', region: 'us-west-2', growth: 6, warm: 6, cold: 0 },
      { service: 'api', region: 'eu-west-1', growth: 6, warm: 0, cold: 6 },
      { service: 'web', region: 'us-west-2', growth: 5, warm: 3, cold: 2 },
      { service: 'web', region: 'eu-west-1', growth: 3, warm: 0, cold: 3 },
    ]);
    expect(renderPlan(p)).toContain('Growth covered by warm pools');
  });

  it('is left out of plans where no group that grows has a warm pool', () => {
    expect(plan(fleetWith(), { kind: 'evacuate', region: 'us-east-1' }, ctx).warmCoverage).toBeUndefined();
  });

  it('is in the N+1 readiness report, per region that could be lost, only where a survivor that grows has a pool', () => {
    // Only api-us-west-2 has a pool (8 warm). Losing us-east-1 or eu-west-1, api in us-west-2 grows
    // by 6 (as above) and takes all 6 warm; losing us-west-2 itself, no survivor with a pool grows.
    const snapshot = fleetWith((g) => {
      if (g.name === 'api-us-west-2') g.warmPool = { size: 8, minSize: 8, poolState: 'Stopped' };
    });
    const report = computeReadiness(snapshot, ctx, '2026-11-24T12:00:00.000Z');
    const coverage = Object.fromEntries(report.regions.map((r) => [r.region, r.warmCoverage?.filter((c) => c.warm > 0)]));
    expect(coverage).toEqual({
      'us-east-1': [{ service: 'api', region: 'us-west-2', growth: 6, warm: 6, cold: 0 }],
      'us-west-2': undefined,
      'eu-west-1': [{ service: 'api', region: 'us-west-2', growth: 6, warm: 6, cold: 0 }],
    });
    expect(computeReadiness(fleetWith(), ctx, '2026-11-24T12:00:00.000Z').regions.every((r) => r.warmCoverage === undefined)).toBe(true);
  });
});
