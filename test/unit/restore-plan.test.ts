import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { FleetSnapshot } from '../../src/core/fleet';
import type { RestoreIntent } from '../../src/core/intents';
import { DEFAULT_PLAN_CONTEXT, plan } from '../../src/core/planner/plan';
import type { Plan } from '../../src/core/planner/plan-types';
import { fleet } from '../support/fleet-fixture';
import { API_NAME, EAST, EU, WEST, api, fleetBeforeEvacuation } from '../support/restore-fixture';

const ctx = { ...DEFAULT_PLAN_CONTEXT, models: loadModels() };

const AP = 'ap-south-1';
const NAME = API_NAME;

const before = fleetBeforeEvacuation;

/** After evacuating us-east-1: weights 0/150/150, survivors pinned at {16, 16, 20}, us-east-1 still runs 10. */
const evacuated = (): FleetSnapshot =>
  fleet([
    api({
      [EAST]: { desired: 10, min: 2, max: 20, weight: 0 },
      [WEST]: { desired: 16, min: 16, max: 20, weight: 150 },
      [EU]: { desired: 16, min: 16, max: 20, weight: 150 },
    }),
  ]);

const restore = (extra: Partial<RestoreIntent> = {}): RestoreIntent => ({ kind: 'restore', region: EAST, previous: before(), ...extra });
const weightsAt = (p: Plan, stage: number) => Object.fromEntries(p.stages[stage]!.traffic.map((t) => [t.region, t.weight]));
const sharesAt = (p: Plan, stage: number) => Object.fromEntries(p.stages[stage]!.traffic.map((t) => [t.region, t.share]));
const loadAt = (p: Plan, stage: number) => Object.fromEntries(p.stages[stage]!.load.map((l) => [l.region, [l.needed, l.instances]]));

describe('restoring the worked example', () => {
  const p = plan(evacuated(), restore(), ctx);

  it('plans the restore of the region asked, of the names that come back, without blockers', () => {
    expect(p.blockers).toEqual([]);
    expect(p.region).toBe(EAST);
    expect(p.names).toEqual([NAME]);
  });

  it('pins the restored region at what it runs (its old 10) before traffic returns', () => {
    expect(p.groupChanges.map((c) => [c.group, c.to])).toEqual([['api-us-east-1', { minSize: 10, desiredCapacity: 10, maxSize: 20 }]]);
  });

  it('sizes each region as it will run while traffic returns: the old 10 in us-east-1, the survivors as they are', () => {
    expect(p.services).toHaveLength(1);
    expect(p.services[0]!.regions.map((r) => [r.region, r.required, r.target, r.shortfall])).toEqual([
      [EAST, 10, 10, 0],
      [WEST, 16, 16, 0],
      [EU, 16, 16, 0],
    ]);
  });

  it('moves traffic back in the default two stages, 50/125/125 then the old 100/100/100', () => {
    // Stage 1 is half way from shares 0, 1/2, 1/2 to 1/3 each: 1/6, 5/12, 5/12 → on a scale of 300: 50, 125, 125.
    expect(p.stages).toHaveLength(2);
    expect(weightsAt(p, 0)).toEqual({ [EAST]: 50, [WEST]: 125, [EU]: 125 });
    expect(weightsAt(p, 1)).toEqual({ [EAST]: 100, [WEST]: 100, [EU]: 100 });
  });

  it('judges each stage against the fleet returned to: its old 10 instances per third', () => {
    // Old fleet: 10 instances per 1/3 → 30 per unit share. Stage 1: us-east-1's 1/6 needs 30 × 1/6 = 5; a survivor's
    // 5/12 gains 1/12 over its old 1/3: 10 + 30 × 1/12 × 1.1 = 12.75 → 13. Stage 2: 1/3 each needs the old 10.
    expect(loadAt(p, 0)).toEqual({ [EAST]: [5, 10], [WEST]: [13, 16], [EU]: [13, 16] });
    expect(loadAt(p, 1)).toEqual({ [EAST]: [10, 10], [WEST]: [10, 16], [EU]: [10, 16] });
  });

  it('lets every pinned group go at the end, at its old bounds, DesiredCapacity left where it is', () => {
    expect(p.finalGroupChanges.map((c) => [c.group, c.from, c.to])).toEqual([
      ['api-us-east-1', { minSize: 10, desiredCapacity: 10, maxSize: 20 }, { minSize: 2, desiredCapacity: 10, maxSize: 20 }],
      ['api-us-west-2', { minSize: 16, desiredCapacity: 16, maxSize: 20 }, { minSize: 2, desiredCapacity: 16, maxSize: 20 }],
      ['api-eu-west-1', { minSize: 16, desiredCapacity: 16, maxSize: 20 }, { minSize: 2, desiredCapacity: 16, maxSize: 20 }],
    ]);
  });

  it('says the model asked could not size the service and which one did', () => {
    // No load readings in this fleet: measured falls back to proportional.
    expect(p.warnings.map((w) => w.code)).toContain('MODEL_FALLBACK');
    expect(p.services[0]!.model).toBe('proportional');
  });
});

describe('what a restore takes from the request', () => {
  it('stages as asked', () => {
    const p = plan(evacuated(), restore({ stages: 3 }), ctx);
    expect(p.stages.map((s) => s.percent)).toEqual([33.3, 66.7, 100]);
  });
});

describe('refusing a restore', () => {
  it('of a region lifeboat does not manage, naming it in the plan', () => {
    const p = plan(evacuated(), restore({ region: AP }), ctx);
    expect(p.region).toBe(AP);
    expect(p.blockers.map((b) => b.code)).toEqual(['LB_ERR_UNKNOWN_REGION']);
    expect(p.stages).toEqual([]);
  });

  it('of a region that serves and runs what it did before, planning nothing', () => {
    const p = plan(before(), restore(), ctx);
    expect(p.blockers).toEqual([
      { code: 'LB_ERR_REGION_NOT_EVACUATED', message: 'us-east-1 already serves what it served before (and runs what it ran); nothing to restore', details: { region: EAST } },
    ]);
    expect(p.services).toEqual([]);
    expect(p.stages).toEqual([]);
    expect(p.finalGroupChanges).toEqual([]);
  });

  it('of a region that serves more than it did before', () => {
    const now = fleet([api({ [EAST]: { desired: 10, min: 2, max: 20, weight: 200 }, [WEST]: { desired: 10, min: 2, max: 20, weight: 100 }, [EU]: { desired: 10, min: 2, max: 20, weight: 100 } })]);
    expect(plan(now, restore(), ctx).blockers.map((b) => b.code)).toEqual(['LB_ERR_REGION_NOT_EVACUATED']);
  });
});

describe('a region that serves what it did but runs less', () => {
  it('is grown back though no traffic comes back', () => {
    const now = fleet([api({ [EAST]: { desired: 4, min: 2, max: 20, weight: 100 }, [WEST]: { desired: 10, min: 2, max: 20, weight: 100 }, [EU]: { desired: 10, min: 2, max: 20, weight: 100 } })]);
    const p = plan(now, restore(), ctx);
    expect(p.blockers).toEqual([]);
    expect(p.names).toEqual([]);
    // 4 → max(old 10, 4) = 10, MinSize raised to 10; released at the end to its old MinSize 2.
    expect(p.groupChanges.map((c) => [c.group, c.to])).toEqual([['api-us-east-1', { minSize: 10, desiredCapacity: 10, maxSize: 20 }]]);
    expect(p.finalGroupChanges.map((c) => [c.group, c.to])).toEqual([['api-us-east-1', { minSize: 2, desiredCapacity: 10, maxSize: 20 }]]);
  });
});

describe('names and groups that changed since the evacuation', () => {
  it('warns of a name that has lost its records, and restores the others', () => {
    const previous = fleet([
      api({ [EAST]: { desired: 10, weight: 100 }, [WEST]: { desired: 10, weight: 100 } }),
      { name: 'web', dns: 'www.example.com', regions: { [EAST]: { desired: 4, weight: 1 }, [WEST]: { desired: 4, weight: 1 } } },
    ], [EAST, WEST]);
    const now = fleet([
      api({ [EAST]: { desired: 10, weight: 0 }, [WEST]: { desired: 20, weight: 100 } }),
      { name: 'web', regions: { [EAST]: { desired: 4 }, [WEST]: { desired: 8 } } },
    ], [EAST, WEST]);
    const p = plan(now, restore({ previous }), ctx);
    expect(p.names).toEqual([NAME]);
    expect(p.warnings).toContainEqual({
      code: 'NAME_WITHOUT_REGION_RECORD',
      message: 'www.example.com had weighted records before but has none now; it is not restored',
      details: { name: 'www.example.com' },
    });
  });

  it('warns of a group of the region that is gone', () => {
    const previous = fleet([api({ [EAST]: { desired: 10, weight: 100 }, [WEST]: { desired: 10, weight: 100 } }), { name: 'batch', regions: { [EAST]: { desired: 2 } } }], [EAST, WEST]);
    const now = fleet([api({ [EAST]: { desired: 10, weight: 0 }, [WEST]: { desired: 20, weight: 100 } })], [EAST, WEST]);
    const p = plan(now, restore({ previous }), ctx);
    expect(p.warnings.filter((w) => w.code === 'GROUP_GONE')).toEqual([
      { code: 'GROUP_GONE', message: 'batch-us-east-1 in us-east-1 existed before the evacuation but is gone; it cannot be restored', details: { group: 'batch-us-east-1', region: EAST } },
    ]);
  });

  it('ends on the old weights exactly, a record added since at 0', () => {
    const previous = fleet([api({ [EAST]: { desired: 10, weight: 100 }, [WEST]: { desired: 10, weight: 100 }, [EU]: { desired: 10 } })]);
    const now = fleet([api({ [EAST]: { desired: 10, weight: 0 }, [WEST]: { desired: 10, weight: 100 }, [EU]: { desired: 10, weight: 100 } })]);
    const p = plan(now, restore({ previous, stages: 1 }), ctx);
    // us-east-1 gets its old 1/2; the others split the other 1/2 as before: us-west-2 all of it, eu-west-1 (no share before) none.
    expect(weightsAt(p, 0)).toEqual({ [EAST]: 100, [WEST]: 100, [EU]: 0 });
  });

  it('splits the rest evenly between regions that had no share before', () => {
    // Before, us-east-1 served 1/3 and ap-south-1 (not managed now, its record gone) 2/3.
    const previous = fleet([api({ [EAST]: { desired: 10, weight: 100 }, [WEST]: { desired: 10, weight: 0 }, [EU]: { desired: 10, weight: 0 }, [AP]: { desired: 10, weight: 200 } })], [EAST, WEST, EU, AP]);
    const now = fleet([api({ [EAST]: { desired: 10, weight: 0 }, [WEST]: { desired: 15, weight: 100 }, [EU]: { desired: 15, weight: 100 } })]);
    const p = plan(now, restore({ previous, stages: 1 }), ctx);
    // us-east-1 gets 1/3 back; the other 2/3 goes half each to us-west-2 and eu-west-1: 1/3 each (within whole weights).
    const shares = sharesAt(p, 0);
    expect(Object.keys(shares)).toEqual([EAST, WEST, EU]);
    expect(shares[EAST]).toBeCloseTo(1 / 3, 2);
    expect(shares[WEST]).toBeCloseTo(1 / 3, 2);
    expect(shares[EU]).toBeCloseTo(1 / 3, 2);
  });
});

describe('restoring while other regions are still evacuated', () => {
  it('keeps one still evacuated where it is, says so, and leaves the survivors pinned', () => {
    const now = fleet([api({ [EAST]: { desired: 10, min: 2, max: 20, weight: 0 }, [WEST]: { desired: 10, min: 2, max: 20, weight: 0 }, [EU]: { desired: 20, min: 20, max: 20, weight: 1 } })]);
    const p = plan(now, restore({ stillEvacuated: [WEST, EAST], stages: 1 }), ctx);
    expect(p.warnings).toContainEqual({
      code: 'FORCED',
      message: 'us-west-2 is still evacuated: it keeps its share and survivors stay pinned until it is restored',
      details: { stillEvacuated: [WEST] },
    });
    // The region restored is never counted as still evacuated. Not exactly the old weights: the shares end on 1/3, 0, 2/3.
    expect(weightsAt(p, 0)[WEST]).toBe(0);
    // us-east-1, pinned at {10, 10, 20} while traffic returned, gets its MinSize 2 back; eu-west-1 stays pinned at 20.
    expect(p.finalGroupChanges.map((c) => [c.group, c.to])).toEqual([['api-us-east-1', { minSize: 2, desiredCapacity: 10, maxSize: 20 }]]);
  });

  it('says so in the plural for several', () => {
    const previous = fleet([api({ [EAST]: { desired: 10, weight: 100 }, [WEST]: { desired: 10, weight: 100 }, [EU]: { desired: 10, weight: 100 }, [AP]: { desired: 10, weight: 100 } })], [EAST, WEST, EU, AP]);
    const now = fleet([api({ [EAST]: { desired: 10, weight: 0 }, [WEST]: { desired: 10, weight: 0 }, [EU]: { desired: 10, weight: 0 }, [AP]: { desired: 40, weight: 100 } })], [EAST, WEST, EU, AP]);
    const p = plan(now, restore({ previous, stillEvacuated: [WEST, EU], stages: 1 }), ctx);
    expect(p.warnings).toContainEqual({
      code: 'FORCED',
      message: 'us-west-2, eu-west-1 are still evacuated: they keep its share and survivors stay pinned until they are restored',
      details: { stillEvacuated: [WEST, EU] },
    });
    // us-east-1 gets its old 1/4 back; the held regions keep 0; ap-south-1 the other 3/4.
    const shares = sharesAt(p, 0);
    expect(shares[EAST]).toBeCloseTo(1 / 4, 9);
    expect(shares[WEST]).toBe(0);
    expect(shares[EU]).toBe(0);
    expect(shares[AP]).toBeCloseTo(3 / 4, 9);
  });

  it('gives no warning when the only region named still evacuated is the one restored', () => {
    const p = plan(evacuated(), restore({ stillEvacuated: [EAST] }), ctx);
    expect(p.warnings.map((w) => w.code)).not.toContain('FORCED');
    expect(p.finalGroupChanges).toHaveLength(3);
  });

  it('takes nothing from regions still evacuated when no other region is left to give: the shares stay', () => {
    // Two regions; us-west-2 (held) has 0.8 now and keeps it, so us-east-1 can only have the 0.2 it has.
    const previous = fleet([api({ [EAST]: { desired: 10, weight: 100 }, [WEST]: { desired: 10, weight: 100 } })], [EAST, WEST]);
    const now = fleet([api({ [EAST]: { desired: 10, weight: 20 }, [WEST]: { desired: 10, weight: 80 } })], [EAST, WEST]);
    const p = plan(now, restore({ previous, stillEvacuated: [WEST], stages: 1 }), ctx);
    expect(p.stages).toHaveLength(1);
    expect(p.stages[0]!.weights).toEqual([]);
    expect(weightsAt(p, 0)).toEqual({ [EAST]: 20, [WEST]: 80 });
  });
});
