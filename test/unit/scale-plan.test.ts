import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { ScaleIntent } from '../../src/core/intents';
import { DEFAULT_PLAN_CONTEXT, plan } from '../../src/core/planner/plan';
import type { ServiceSpec } from '../support/fleet-fixture';
import { apiInThreeRegions, fleet } from '../support/fleet-fixture';

const ctx = { ...DEFAULT_PLAN_CONTEXT, models: loadModels() };
const scale = (desiredCapacity: number, extra: Partial<ScaleIntent> = {}): ScaleIntent => ({ kind: 'scale', region: 'us-west-2', service: 'api', desiredCapacity, ...extra });

/** api in us-west-2 as two groups: desired 7 split 4 + 3, MinSize 2 → 1 + 1, MaxSize 20 → 10 + 10. */
const twoGroups = (desired = 7): ServiceSpec[] => [{ name: 'api', dns: 'api.example.com', regions: { 'us-west-2': { desired, min: 2, max: 20, weight: 100, groups: 2 } } }];
const oneRegion = ['us-west-2'];

describe('scaling one service in one region', () => {
  it('refuses a region lifeboat does not manage, and nothing else', () => {
    const p = plan(fleet(apiInThreeRegions()), scale(12, { region: 'ap-south-1' }), ctx);
    expect(p.blockers.map((b) => b.code)).toEqual(['LB_ERR_UNKNOWN_REGION']);
    expect(p.groupChanges).toEqual([]);
  });

  it('refuses a service no group serves in the region, and nothing else', () => {
    const p = plan(fleet(apiInThreeRegions()), scale(12, { service: 'checkout' }), ctx);
    expect(p.blockers.map((b) => b.code)).toEqual(['LB_ERR_UNKNOWN_SERVICE']);
    expect(p.groupChanges).toEqual([]);
  });

  it('allows a size exactly at MaxSize', () => {
    const p = plan(fleet(apiInThreeRegions()), scale(20), ctx);
    expect(p.blockers).toEqual([]);
    expect(p.groupChanges.map((c) => c.to)).toEqual([{ minSize: 2, desiredCapacity: 20, maxSize: 20 }]);
  });

  it('refuses a size above MaxSize, naming the ceiling and what was asked', () => {
    const p = plan(fleet(apiInThreeRegions()), scale(25), ctx);
    expect(p.blockers).toEqual([
      {
        code: 'LB_ERR_DESIRED_ABOVE_MAX',
        message: 'api in us-west-2 can run at most 20 (MaxSize); 25 asked',
        details: { service: 'api', region: 'us-west-2', ceiling: 20, desiredCapacity: 25 },
      },
    ]);
    expect(p.groupChanges).toEqual([]);
  });

  it('counts the allowed MaxSize growth in the ceiling and says so', () => {
    // MaxSize 20 × 1.5 = 30: 30 is allowed (and becomes the new MaxSize), 31 is not.
    const grown = { ...ctx, maxSizeGrowth: 1.5 };
    expect(plan(fleet(apiInThreeRegions()), scale(30), grown).groupChanges.map((c) => c.to)).toEqual([{ minSize: 2, desiredCapacity: 30, maxSize: 30 }]);
    const p = plan(fleet(apiInThreeRegions()), scale(31), grown);
    expect(p.blockers).toHaveLength(1);
    expect(p.blockers[0]!.message).toBe('api in us-west-2 can run at most 30 (MaxSize × 1.5); 31 asked');
    expect(p.blockers[0]!.details).toMatchObject({ ceiling: 30 });
  });

  it('sums the ceiling over all the service’s groups in the region', () => {
    // Two groups of MaxSize 10: at most 20 together.
    const p = plan(fleet(twoGroups(), oneRegion), scale(21), ctx);
    expect(p.blockers).toMatchObject([{ code: 'LB_ERR_DESIRED_ABOVE_MAX', details: { ceiling: 20, desiredCapacity: 21 } }]);
  });

  it('refuses to scale to the sizes the service already has, so repeating a scale is a no-op', () => {
    const p = plan(fleet(apiInThreeRegions()), scale(10), ctx);
    expect(p.blockers).toEqual([{ code: 'LB_ERR_NOTHING_TO_DO', message: 'api in us-west-2 already runs at these sizes', details: { service: 'api', region: 'us-west-2' } }]);
    expect(p.groupChanges).toEqual([]);
  });

  it('spreads the size over the groups in proportion to what each runs, the remainder to the largest fraction', () => {
    // Groups run 4 and 3, target 9: 9 × 4/7 = 5.14 and 9 × 3/7 = 3.86 → floors 5 and 3, the one left to
    // the second (.86 > .14) → 5 and 4. MinSize 1 and MaxSize 10 stay.
    const p = plan(fleet(twoGroups(), oneRegion), scale(9), ctx);
    expect(p.blockers).toEqual([]);
    expect(p.groupChanges.map((c) => [c.group, c.to])).toEqual([
      ['api-us-west-2-1', { minSize: 1, desiredCapacity: 5, maxSize: 10 }],
      ['api-us-west-2-2', { minSize: 1, desiredCapacity: 4, maxSize: 10 }],
    ]);
  });

  it('splits the size equally over groups that run nothing', () => {
    // Both groups at 0, target 5: 2.5 each → floors 2 and 2, the one left to the first → 3 and 2.
    const p = plan(fleet(twoGroups(0), oneRegion), scale(5), ctx);
    expect(p.blockers).toEqual([]);
    expect(p.groupChanges.map((c) => c.to.desiredCapacity)).toEqual([3, 2]);
  });

  it('splits a requested MinSize and MaxSize over the groups the same way', () => {
    // Weights 4:3. MinSize 7 → exactly 4 and 3. MaxSize 12 → 6.86 and 5.14 → 6 and 5, the one left to
    // the first (.86) → 7 and 5. Desired 9 → 5 and 4 as above.
    const p = plan(fleet(twoGroups(), oneRegion), scale(9, { minSize: 7, maxSize: 12 }), ctx);
    expect(p.groupChanges.map((c) => c.to)).toEqual([
      { minSize: 4, desiredCapacity: 5, maxSize: 7 },
      { minSize: 3, desiredCapacity: 4, maxSize: 5 },
    ]);
  });
});
