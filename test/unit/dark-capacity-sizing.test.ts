import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { AutoScalingGroupReading } from '../../src/core/fleet';
import { n1GrowthByGroup, planPrepareDarkCapacity, planReleaseDarkCapacity, warmPoolIsOurs } from '../../src/core/planner/dark-capacity-plan';
import { indexFleet } from '../../src/core/planner/fleet-index';
import { DEFAULT_PLAN_CONTEXT } from '../../src/core/planner/plan';
import type { Plan } from '../../src/core/planner/plan-types';
import { assembleSnapshot } from '../../src/core/snapshot';
import type { ServiceSpec } from '../support/fleet-fixture';
import { fleetReading } from '../support/fleet-fixture';

/**
 * The planners of dark capacity, called directly. The fleet is dark-capacity-plan.test.ts's:
 * api runs 10 in each of three regions at equal weights; web runs 6/12/6 at weights 1/2/1.
 * Sized from instance counts (proportional, 10% headroom), as derived there:
 * - api: losing any region, each survivor goes from 1/3 to 1/2 of the traffic at 30
 *   instances per unit share: 10 + 30 × 1/6 × 1.1 = 15.5 → 16, a growth of 6.
 * - web (24 per unit share): losing us-west-2 (1/2), us-east-1 and eu-west-1 go from 1/4 to
 *   1/2: 6 + 24 × 1/4 × 1.1 = 12.6 → 13 (+7); losing us-east-1 or eu-west-1, us-west-2 goes
 *   from 1/2 to 2/3: 12 + 24 × 1/6 × 1.1 = 16.4 → 17 (+5), and the other edge region from
 *   1/4 to 1/3: 6 + 24 × 1/12 × 1.1 = 8.2 → 9 (+3).
 */
const ctx = { ...DEFAULT_PLAN_CONTEXT, models: loadModels() };
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];

const services: ServiceSpec[] = [
  { name: 'api', dns: 'api.example.com', regions: Object.fromEntries(REGIONS.map((r) => [r, { desired: 10, min: 2, max: 20, weight: 100 }])) },
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

function index(change: (g: AutoScalingGroupReading) => void = () => undefined) {
  const reading = fleetReading(services);
  reading.groups.forEach(change);
  return indexFleet(assembleSnapshot(reading));
}

const ours = (g: AutoScalingGroupReading, pool: AutoScalingGroupReading['warmPool']) => {
  g.warmPool = pool;
  g.tags['lifeboat:warm-pool'] = 'created';
};

const poolOf = (p: Plan, group: string) => p.warmPoolChanges?.find((c) => c.group === group);

describe('warmPoolIsOurs', () => {
  it('is true only for the tag lifeboat:warm-pool=created', () => {
    expect(warmPoolIsOurs({ tags: { 'lifeboat:warm-pool': 'created' } })).toBe(true);
    expect(warmPoolIsOurs({ tags: { 'lifeboat:warm-pool': 'yes' } })).toBe(false);
    expect(warmPoolIsOurs({ tags: {} })).toBe(false);
  });
});

describe('n1GrowthByGroup', () => {
  it('keeps, per group, the largest growth and the first region whose loss asks it', () => {
    const growth = n1GrowthByGroup(index(), { kind: 'prepare-dark-capacity' }, ctx);
    const byGroup = Object.fromEntries([...growth.values()].map((g) => [g.group.name, [g.growth, g.forLossOf]]));
    // api grows by 6 for the loss of either neighbour: the first one looked at is kept.
    expect(byGroup).toEqual({
      'api-us-east-1': [6, 'us-west-2'],
      'api-us-west-2': [6, 'us-east-1'],
      'api-eu-west-1': [6, 'us-east-1'],
      'web-us-east-1': [7, 'us-west-2'],
      'web-us-west-2': [5, 'us-east-1'],
      'web-eu-west-1': [7, 'us-west-2'],
    });
  });

  it('sizes only the services asked', () => {
    const growth = n1GrowthByGroup(index(), { kind: 'prepare-dark-capacity', services: ['web'] }, ctx);
    expect([...growth.values()].map((g) => g.group.name).sort()).toEqual(['web-eu-west-1', 'web-us-east-1', 'web-us-west-2']);
  });
});

describe('planPrepareDarkCapacity', () => {
  it('lists the pools sorted by region, then group, in the pool state asked', () => {
    const p = planPrepareDarkCapacity(index(), { kind: 'prepare-dark-capacity', poolState: 'Running' }, ctx);
    expect(p.warmPoolChanges!.map((c) => c.group)).toEqual(['api-eu-west-1', 'web-eu-west-1', 'api-us-east-1', 'web-us-east-1', 'api-us-west-2', 'web-us-west-2']);
    expect(poolOf(p, 'web-us-east-1')).toEqual({
      region: 'us-east-1',
      group: 'web-us-east-1',
      service: 'web',
      to: { minSize: 7, maxGroupPreparedCapacity: 13, poolState: 'Running' },
      growth: 7,
      forLossOf: 'us-west-2',
    });
    expect(p.blockers).toEqual([]);
  });

  it('names the account of a group in another account', () => {
    const p = planPrepareDarkCapacity(index((g) => g.name === 'api-us-west-2' && (g.account = '111122223333')), { kind: 'prepare-dark-capacity' }, ctx);
    expect(poolOf(p, 'api-us-west-2')).toMatchObject({ account: '111122223333', group: 'api-us-west-2', growth: 6 });
    expect(poolOf(p, 'api-us-east-1')).not.toHaveProperty('account');
  });

  it('warns of a pool it did not create only when both its size and MinSize fall short of the growth', () => {
    const p = planPrepareDarkCapacity(
      index((g) => {
        // web-us-east-1 grows by 7, web-eu-west-1 by 7, api-us-east-1 by 6, api-us-west-2 by 6.
        if (g.name === 'web-us-east-1') g.warmPool = { size: 2, minSize: 7 };
        if (g.name === 'web-eu-west-1') g.warmPool = { size: 7, minSize: 2 };
        if (g.name === 'api-us-east-1') g.warmPool = { size: 5 };
        if (g.name === 'api-us-west-2') g.warmPool = { size: 5, minSize: 5 };
      }),
      { kind: 'prepare-dark-capacity' },
      ctx,
    );
    // In the order the groups' growth was first found: api-us-west-2 losing us-east-1, then api-us-east-1 losing us-west-2.
    expect(p.warnings).toEqual([
      {
        code: 'WARM_POOL_NOT_OURS',
        message: 'api-us-west-2 in us-west-2 would grow by 6 if us-east-1 were lost; its warm pool (5 warm) was not created by lifeboat and is left as it is',
        details: { region: 'us-west-2', group: 'api-us-west-2', growth: 6, warm: 5 },
      },
      {
        code: 'WARM_POOL_NOT_OURS',
        message: 'api-us-east-1 in us-east-1 would grow by 6 if us-west-2 were lost; its warm pool (5 warm) was not created by lifeboat and is left as it is',
        details: { region: 'us-east-1', group: 'api-us-east-1', growth: 6, warm: 5 },
      },
    ]);
    // None of the four pools is touched.
    expect(p.warmPoolChanges!.map((c) => c.group)).toEqual(['api-eu-west-1', 'web-us-west-2']);
  });

  it('resets a pool it created when its MinSize or its state differs, showing the pool as it was', () => {
    const p = planPrepareDarkCapacity(
      index((g) => {
        if (g.name === 'api-us-east-1') ours(g, { size: 4, minSize: 4, poolState: 'Stopped' });
        if (g.name === 'api-us-west-2') ours(g, { size: 6, minSize: 6, poolState: 'Running' });
        if (g.name === 'api-eu-west-1') ours(g, { size: 6, minSize: 6 });
        if (g.name === 'web-us-west-2') ours(g, { size: 5, minSize: 5, poolState: 'Stopped' });
      }),
      { kind: 'prepare-dark-capacity' },
      ctx,
    );
    // api-us-east-1: MinSize 4 → 6. api-us-west-2: Running → Stopped. api-eu-west-1 (no state read, taken as Stopped)
    // and web-us-west-2 already match: not set again.
    expect(p.warmPoolChanges!.map((c) => c.group)).toEqual(['web-eu-west-1', 'api-us-east-1', 'web-us-east-1', 'api-us-west-2']);
    expect(poolOf(p, 'api-us-east-1')).toMatchObject({ from: { size: 4, minSize: 4, poolState: 'Stopped' }, to: { minSize: 6, maxGroupPreparedCapacity: 16, poolState: 'Stopped' } });
    expect(poolOf(p, 'api-us-west-2')).toMatchObject({ from: { poolState: 'Running' }, to: { minSize: 6, poolState: 'Stopped' } });
    expect(poolOf(p, 'web-eu-west-1')).not.toHaveProperty('from');
  });

  it('has nothing to do when no group would grow', () => {
    // A single region: there is no neighbour to lose.
    const reading = fleetReading([{ name: 'api', dns: 'api.example.com', regions: { 'us-east-1': { desired: 10, weight: 100 } } }], ['us-east-1']);
    const p = planPrepareDarkCapacity(indexFleet(assembleSnapshot(reading)), { kind: 'prepare-dark-capacity' }, ctx);
    expect(p.warmPoolChanges).toEqual([]);
    expect(p.blockers).toContainEqual({
      code: 'LB_ERR_NOTHING_TO_DO',
      message: 'nothing to do: every group that would grow when a neighbour is lost already has the warm pool it needs (or one lifeboat leaves alone)',
      details: {},
    });
  });
});

describe('planReleaseDarkCapacity', () => {
  const withPools = () =>
    index((g) => {
      if (g.name === 'web-us-west-2') ours(g, { size: 5, minSize: 5, poolState: 'Stopped' });
      if (g.name === 'api-us-west-2') ours(g, { size: 6, minSize: 6 });
      // Tagged, but its pool is gone already.
      if (g.name === 'api-eu-west-1') g.tags['lifeboat:warm-pool'] = 'created';
      if (g.name === 'api-us-east-1') g.warmPool = { size: 3 };
    });

  it('deletes every pool lifeboat created, sorted by region then group, showing each as it is', () => {
    const p = planReleaseDarkCapacity(withPools(), { kind: 'release-dark-capacity' }, ctx);
    expect(p.warmPoolChanges).toEqual([
      { region: 'eu-west-1', group: 'api-eu-west-1', service: 'api', to: null, growth: 0 },
      { region: 'us-west-2', group: 'api-us-west-2', service: 'api', from: { size: 6, minSize: 6 }, to: null, growth: 0 },
      { region: 'us-west-2', group: 'web-us-west-2', service: 'web', from: { size: 5, minSize: 5, poolState: 'Stopped' }, to: null, growth: 0 },
    ]);
    expect(p.blockers).toEqual([]);
  });

  it('deletes only the pools of the services asked', () => {
    const p = planReleaseDarkCapacity(withPools(), { kind: 'release-dark-capacity', services: ['web'] }, ctx);
    expect(p.warmPoolChanges!.map((c) => c.group)).toEqual(['web-us-west-2']);
  });

  it('has nothing to do for services without pools lifeboat created', () => {
    const p = planReleaseDarkCapacity(withPools(), { kind: 'release-dark-capacity', services: ['db'] }, ctx);
    expect(p.warmPoolChanges).toEqual([]);
    expect(p.blockers).toEqual([{ code: 'LB_ERR_NOTHING_TO_DO', message: 'nothing to do: no group carries a warm pool lifeboat created', details: {} }]);
  });
});
