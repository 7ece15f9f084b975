import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { FleetSnapshot } from '../../src/core/fleet';
import type { RestoreIntent } from '../../src/core/intents';
import { serviceContexts } from '../../src/core/planner/capacity-targets';
import { indexFleet } from '../../src/core/planner/fleet-index';
import type { GroupChange } from '../../src/core/planner/plan-types';
import {
  changesByGroup,
  fleetReturnedTo,
  goneGroups,
  groupsBefore,
  regionShrank,
  regrowRegion,
  releasePins,
  servedBefore,
  sizeServicesForRestore,
} from '../../src/core/planner/restore-capacity';
import { fleet } from '../support/fleet-fixture';
import { EAST, EU, WEST, api, fleetBeforeEvacuation } from '../support/restore-fixture';

const models = loadModels();
const proportional = models.get('proportional')!;
const sizing = { model: proportional, models, maxSizeGrowth: 1 };


const before = fleetBeforeEvacuation;

/**
 * After it: us-east-1 scaled in by its own policy to {0, 4, 8} (MaxSize lowered too) at weight 0; us-west-2 pinned at
 * {16, 16, 20}; eu-west-1 scaled in by its own policy to {2, 8, 20}.
 */
const evacuated = (): FleetSnapshot =>
  fleet([
    api({
      [EAST]: { desired: 4, min: 0, max: 8, weight: 0 },
      [WEST]: { desired: 16, min: 16, max: 20, weight: 150 },
      [EU]: { desired: 8, min: 2, max: 20, weight: 150 },
    }),
  ]);

const restore = (extra: Partial<RestoreIntent> = {}): RestoreIntent => ({ kind: 'restore', region: EAST, previous: before(), ...extra });
const sizesOf = (changes: readonly GroupChange[]) => changes.map((c) => [c.group, c.from, c.to]);

describe('regrowing the restored region', () => {
  it('brings each group back to its old DesiredCapacity, MinSize raised to it, MaxSize back to the old one, and touches no other region', () => {
    const changes = regrowRegion(indexFleet(evacuated()), EAST, groupsBefore(before()));
    // desired = max(old 10, now 4) = 10; MinSize = max(0, 10) = 10; MaxSize = max(now 8, old 20, 10) = 20.
    // eu-west-1 also runs fewer than before (8 < 10), but it is not the region restored.
    expect(sizesOf(changes)).toEqual([['api-us-east-1', { minSize: 0, desiredCapacity: 4, maxSize: 8 }, { minSize: 10, desiredCapacity: 10, maxSize: 20 }]]);
  });

  it('keeps a group that grew meanwhile at what it runs now, and its MaxSize if that rose', () => {
    const now = fleet([api({ [EAST]: { desired: 14, min: 2, max: 30, weight: 0 }, [WEST]: { desired: 16, min: 16, max: 20, weight: 100 } })], [EAST, WEST]);
    const changes = regrowRegion(indexFleet(now), EAST, groupsBefore(before()));
    // desired = max(old 10, now 14) = 14; MinSize = max(2, 14) = 14; MaxSize = max(now 30, old 20, 14) = 30.
    expect(sizesOf(changes)).toEqual([['api-us-east-1', { minSize: 2, desiredCapacity: 14, maxSize: 30 }, { minSize: 14, desiredCapacity: 14, maxSize: 30 }]]);
  });

  it('leaves alone a group new since the evacuation, and one already held at its old size', () => {
    const now = fleet([
      api({ [EAST]: { desired: 10, min: 10, max: 20, weight: 0 }, [WEST]: { desired: 16, min: 16, max: 20, weight: 100 } }),
      { name: 'batch', regions: { [EAST]: { desired: 3, min: 1, max: 6 } } },
    ], [EAST, WEST]);
    expect(regrowRegion(indexFleet(now), EAST, groupsBefore(before()))).toEqual([]);
  });

  it('finds a group by region and name, never a group of the same name in another region', () => {
    const oldOf = groupsBefore(before());
    const group = evacuated().groups.find((g) => g.region === EU)!;
    expect(oldOf(group)).toMatchObject({ region: EU, name: 'api-eu-west-1', desiredCapacity: 10 });
    expect(oldOf({ ...group, region: 'ap-south-1' })).toBeUndefined();
  });

  it('indexes a restore’s changes by group', () => {
    const changes = regrowRegion(indexFleet(evacuated()), EAST, groupsBefore(before()));
    const byGroup = changesByGroup(changes);
    expect([...byGroup.values()]).toEqual(changes);
    expect(byGroup.get(`${EAST}\u0000api-us-east-1`)).toBe(changes[0]);
  });
});

describe('groups gone since the evacuation', () => {
  it('warns of each group of the restored region that no longer exists, and of none elsewhere', () => {
    const previous = fleet([
      api({ [EAST]: { desired: 10, weight: 100 }, [WEST]: { desired: 10, weight: 100 } }),
      { name: 'web', regions: { [EAST]: { desired: 4 }, [WEST]: { desired: 4 } } },
    ], [EAST, WEST]);
    const now = fleet([api({ [EAST]: { desired: 4, weight: 0 }, [WEST]: { desired: 16, weight: 100 } })], [EAST, WEST]);
    expect(goneGroups(indexFleet(now), previous, EAST)).toEqual([
      {
        code: 'GROUP_GONE',
        message: 'web-us-east-1 in us-east-1 existed before the evacuation but is gone; it cannot be restored',
        details: { group: 'web-us-east-1', region: EAST },
      },
    ]);
  });
});

describe('whether the restored region shrank', () => {
  const oldOf = groupsBefore(before());

  it('is true when one of its groups runs fewer instances than before', () => {
    expect(regionShrank(indexFleet(evacuated()), EAST, oldOf)).toBe(true);
  });

  it('is false when its groups run what they ran, or more, or are new, even when another region shrank', () => {
    const now = fleet([
      api({ [EAST]: { desired: 10, weight: 0 }, [WEST]: { desired: 12, weight: 100 }, [EU]: { desired: 3, weight: 100 } }),
      { name: 'batch', regions: { [EAST]: { desired: 3 } } },
    ]);
    // us-east-1: api 10 = 10 before; batch is new (no old size). us-west-2 grew; eu-west-1 shrank (3 < 10).
    expect(regionShrank(indexFleet(now), EAST, oldOf)).toBe(false);
    expect(regionShrank(indexFleet(now), WEST, oldOf)).toBe(false);
    expect(regionShrank(indexFleet(now), EU, oldOf)).toBe(true);
  });
});

describe('sizing services while traffic returns', () => {
  const index = indexFleet(evacuated());
  const oldOf = groupsBefore(before());
  const { contexts } = serviceContexts(index, index.services, {}, sizing);
  const after = new Map([['api.example.com', new Map([[EAST, 1 / 3], [WEST, 1 / 3], [EU, 1 / 3]])]]);

  it('targets what the groups run once regrown, and requires the old DesiredCapacity in the restored region only', () => {
    const during = changesByGroup(regrowRegion(index, EAST, oldOf));
    const sized = sizeServicesForRestore(index, contexts, EAST, after, during, oldOf);
    expect(sized.shortfalls).toEqual([]);
    // Shares now: weights 0/150/150 → 0, 1/2, 1/2. us-east-1: regrown to 10 (its old 10), ceiling max(MaxSize 8, 10) = 10.
    // Elsewhere nothing changes: required = target = what runs (16, 8), ceiling = MaxSize 20.
    expect(sized.services).toHaveLength(1);
    expect(sized.services[0]).toMatchObject({ service: 'api', trafficName: 'api.example.com', model: 'proportional' });
    expect(sized.services[0]!.regions).toEqual([
      { service: 'api', region: EAST, share: 0, targetShare: 1 / 3, current: 4, inService: 4, required: 10, target: 10, ceiling: 10, shortfall: 0 },
      { service: 'api', region: WEST, share: 0.5, targetShare: 1 / 3, current: 16, inService: 16, required: 16, target: 16, ceiling: 20, shortfall: 0 },
      { service: 'api', region: EU, share: 0.5, targetShare: 1 / 3, current: 8, inService: 8, required: 8, target: 8, ceiling: 20, shortfall: 0 },
    ]);
    expect(sized.instances).toEqual(new Map([['api', [10, 16, 8]]]));
  });

  it('reports the restored region short when its groups are not regrown and cannot reach their old size', () => {
    const sized = sizeServicesForRestore(index, contexts, EAST, after, new Map(), oldOf);
    // us-east-1 runs 4 and needs its old 10; its ceiling is max(MaxSize 8, 4) = 8: short 10 − 8 = 2.
    expect(sized.shortfalls).toEqual([{ service: 'api', region: EAST, required: 10, ceiling: 8, short: 2 }]);
    expect(sized.services[0]!.regions[0]).toMatchObject({ required: 10, target: 4, ceiling: 8, shortfall: 2 });
    expect(sized.instances.get('api')).toEqual([4, 16, 8]);
  });

  it('keeps the shares of a service whose traffic does not move, and counts a group new since at what it runs', () => {
    const now = fleet([
      api({ [EAST]: { desired: 4, min: 0, max: 8, weight: 0 }, [WEST]: { desired: 16, min: 16, max: 20, weight: 150 }, [EU]: { desired: 8, min: 2, max: 20, weight: 150 } }),
      { name: 'batch', regions: { [EAST]: { desired: 2, max: 6 }, [WEST]: { desired: 4, max: 6 }, [EU]: { desired: 4, max: 6 } } },
    ]);
    const idx = indexFleet(now);
    const ctxs = serviceContexts(idx, ['batch'], {}, sizing).contexts;
    const sized = sizeServicesForRestore(idx, ctxs, EAST, after, new Map(), oldOf);
    // batch has no traffic record: its shares are what it runs, 2 : 4 : 4 → 0.2, 0.4, 0.4, and they stay.
    // It did not exist before, so us-east-1 requires what it runs, 2.
    expect(sized.services[0]!.regions.map((r) => [r.share, r.targetShare, r.required, r.target])).toEqual([
      [0.2, 0.2, 2, 2],
      [0.4, 0.4, 4, 4],
      [0.4, 0.4, 4, 4],
    ]);
  });
});

describe('releasing pins after the last stage', () => {
  const index = indexFleet(evacuated());
  const oldOf = groupsBefore(before());
  const during = changesByGroup(regrowRegion(index, EAST, oldOf));

  it('gives every pinned group its old MinSize and MaxSize, DesiredCapacity kept within them, and leaves unpinned groups alone', () => {
    const changes = releasePins(index, restore(), new Set(), during, oldOf);
    // us-east-1 as regrown {10, 10, 20} → {2, 10, 20}; us-west-2 {16, 16, 20} → {2, 16, 20}.
    // eu-west-1 {2, 8, 20} is within its old bounds {2, 20}: lifeboat did not pin it.
    expect(sizesOf(changes)).toEqual([
      ['api-us-east-1', { minSize: 10, desiredCapacity: 10, maxSize: 20 }, { minSize: 2, desiredCapacity: 10, maxSize: 20 }],
      ['api-us-west-2', { minSize: 16, desiredCapacity: 16, maxSize: 20 }, { minSize: 2, desiredCapacity: 16, maxSize: 20 }],
    ]);
  });

  it('with scaleDownSurvivors, gives the survivors their old DesiredCapacity, but not the restored region nor an unpinned group', () => {
    const now = fleet([
      api({ [EAST]: { desired: 14, min: 2, max: 20, weight: 0 }, [WEST]: { desired: 16, min: 16, max: 20, weight: 150 }, [EU]: { desired: 14, min: 2, max: 20, weight: 150 } }),
    ]);
    const idx = indexFleet(now);
    const changes = releasePins(idx, restore({ scaleDownSurvivors: true }), new Set(), changesByGroup(regrowRegion(idx, EAST, oldOf)), oldOf);
    // us-east-1 regrown to {14, 14, 20} (it grew meanwhile) → {2, 14, 20}; us-west-2 → old {2, 10, 20};
    // eu-west-1 at {2, 14, 20} is within its old bounds: not pinned by lifeboat, so its 14 stays.
    expect(sizesOf(changes)).toEqual([
      ['api-us-east-1', { minSize: 14, desiredCapacity: 14, maxSize: 20 }, { minSize: 2, desiredCapacity: 14, maxSize: 20 }],
      ['api-us-west-2', { minSize: 16, desiredCapacity: 16, maxSize: 20 }, { minSize: 2, desiredCapacity: 10, maxSize: 20 }],
    ]);
  });

  it('while another region is still evacuated, releases only the restored region’s groups', () => {
    const changes = releasePins(index, restore({ stillEvacuated: [EU] }), new Set([EU]), during, oldOf);
    expect(changes.map((c) => c.group)).toEqual(['api-us-east-1']);
  });

  it('counts a raised MaxSize as a pin, and clamps DesiredCapacity into the old bounds from above and below', () => {
    const now = fleet([
      api({ [EAST]: { desired: 1, min: 2, max: 30, weight: 0 }, [WEST]: { desired: 25, min: 25, max: 30, weight: 150 }, [EU]: { desired: 4, min: 2, max: 20, weight: 150 } }),
      { name: 'batch', regions: { [WEST]: { desired: 5, min: 5, max: 10 } } },
    ]);
    const changes = releasePins(indexFleet(now), restore(), new Set(), new Map(), oldOf);
    // us-east-1: MinSize 2 = old 2 but MaxSize 30 > old 20: pinned; desired 1 → max(1, 2) = 2.
    // us-west-2: desired 25 → min(25, old MaxSize 20) = 20. eu-west-1: within its old bounds, not pinned.
    // batch is new since the evacuation: nothing to go back to.
    expect(sizesOf(changes)).toEqual([
      ['api-us-east-1', { minSize: 2, desiredCapacity: 1, maxSize: 30 }, { minSize: 2, desiredCapacity: 2, maxSize: 20 }],
      ['api-us-west-2', { minSize: 25, desiredCapacity: 25, maxSize: 30 }, { minSize: 2, desiredCapacity: 20, maxSize: 20 }],
    ]);
  });
});

describe('the fleet a restore returns to', () => {
  it('judges a service by the old fleet’s instances and shares, with today’s ceilings', () => {
    const index = indexFleet(evacuated());
    const { contexts } = serviceContexts(index, index.services, {}, sizing);
    const returned = fleetReturnedTo(indexFleet(before()), index.regions, contexts, sizing);
    expect(returned).toHaveLength(1);
    expect(returned[0]!.inputs.current).toEqual([10, 10, 10]);
    expect(returned[0]!.inputs.share).toEqual([1 / 3, 1 / 3, 1 / 3]);
    // Ceilings stay today's: MaxSize 8, 20, 20.
    expect(returned[0]!.ceilings).toEqual([8, 20, 20]);
    expect(returned[0]!.model.name).toBe('proportional');
  });

  it('lines the old fleet up with today’s regions, a region added since running nothing before', () => {
    const previous = fleet([api({ [WEST]: { desired: 10, weight: 100 }, [EAST]: { desired: 6, weight: 100 } })], [WEST, EAST]);
    const index = indexFleet(evacuated());
    const { contexts } = serviceContexts(index, index.services, {}, sizing);
    const returned = fleetReturnedTo(indexFleet(previous), index.regions, contexts, sizing);
    expect(returned[0]!.inputs.regions).toEqual([EAST, WEST, EU]);
    expect(returned[0]!.inputs.current).toEqual([6, 10, 0]);
    expect(returned[0]!.inputs.share).toEqual([0.5, 0.5, 0]);
  });

  it('judges a service sized from measured load, or one the old fleet cannot size, as it is now', () => {
    const index = indexFleet(evacuated());
    const { contexts } = serviceContexts(index, index.services, {}, sizing);
    // Sized by measured load (the old fleet here has no load readings, so sizing it again would fall back to proportional).
    const measuredLike = { ...contexts[0]!, model: models.get('measured')! };
    const throughput = models.get('throughput')!;
    // The old fleet is sized with no parameters: throughput cannot size it without its demand.
    const unsizable = { ...contexts[0]!, model: throughput };
    const returned = fleetReturnedTo(indexFleet(before()), index.regions, [measuredLike, unsizable], sizing);
    expect(returned[0]).toBe(measuredLike);
    expect(returned[1]).toBe(unsizable);
  });
});

describe('what each region served and ran before', () => {
  it('gives per service the old shares and instances, in today’s region order, for services with a traffic name only', () => {
    const previous = fleet([
      api({ [EAST]: { desired: 10, weight: 100 }, [WEST]: { desired: 6, weight: 300 } }),
      { name: 'batch', regions: { [EAST]: { desired: 2 }, [WEST]: { desired: 2 } } },
    ], [EAST, WEST]);
    const now = fleet([
      api({ [EAST]: { desired: 4, weight: 0 }, [WEST]: { desired: 16, weight: 100 }, [EU]: { desired: 4, weight: 100 } }),
      { name: 'batch', regions: { [EAST]: { desired: 2 }, [WEST]: { desired: 2 } } },
    ]);
    const index = indexFleet(now);
    const { contexts } = serviceContexts(index, index.services, {}, sizing);
    const served = servedBefore(indexFleet(previous), index.regions, contexts);
    // Weights 100 : 300 → shares 1/4, 3/4; eu-west-1 had no record and no group: 0 and 0.
    expect(served).toEqual(new Map([['api', { share: [0.25, 0.75, 0], instances: [10, 6, 0] }]]));
  });

  it('leaves out a service whose name had no records before', () => {
    const previous = fleet([{ name: 'api', dns: 'api.example.com', regions: { [EAST]: { desired: 10 }, [WEST]: { desired: 10 } } }], [EAST, WEST]);
    const index = indexFleet(evacuated());
    const { contexts } = serviceContexts(index, index.services, {}, sizing);
    expect(servedBefore(indexFleet(previous), index.regions, contexts)).toEqual(new Map());
  });
});
