import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { FleetReading } from '../../src/core/fleet';
import type { ReconcileIntent } from '../../src/core/intents';
import { pinTags } from '../../src/core/pins';
import { DEFAULT_PLAN_CONTEXT, plan } from '../../src/core/planner/plan';
import type { Plan } from '../../src/core/planner/plan-types';
import { assembleSnapshot } from '../../src/core/snapshot';
import type { ServiceSpec } from '../support/fleet-fixture';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';

const ctx = { ...DEFAULT_PLAN_CONTEXT, models: loadModels() };

const EAST = 'us-east-1';
const WEST = 'us-west-2';
const EU = 'eu-west-1';
const NAME = 'api.example.com';
const BEFORE = { [EAST]: 100, [WEST]: 100, [EU]: 100 };
const SOURCE = 'the weights given';

const pin = (from: { minSize: number; desiredCapacity: number; maxSize: number }) => pinTags({ operationId: 'op_lost', from });

/**
 * api ran 10 {MinSize 2, MaxSize 20} with weight 100 in each region; an evacuation of us-east-1 pinned the survivors
 * at 16 (their pin records say they ran {2, 10, 20}) and set weights 50/125/125, then Redis lost it.
 */
function halfMoved(services: ServiceSpec[] = apiInThreeRegions()): FleetReading {
  const reading = fleetReading(services);
  for (const g of reading.groups.filter((g) => g.tags['lifeboat:service'] === 'api' && g.region !== EAST)) {
    g.tags = { ...g.tags, ...pin({ minSize: 2, desiredCapacity: 10, maxSize: 20 }) };
    g.minSize = 16;
    g.desiredCapacity = 16;
  }
  const weights: Record<string, number> = { [EAST]: 50, [WEST]: 125, [EU]: 125 };
  for (const r of reading.zones[0]!.records.filter((r) => r.name === `${NAME}.`)) r.weight = weights[r.setIdentifier!];
  return reading;
}

const reconcile = (weights: ReconcileIntent['target']['weights'], extra: Partial<ReconcileIntent> & { bounds?: ReconcileIntent['target']['bounds'] } = {}): ReconcileIntent => {
  const { bounds = [], ...rest } = extra;
  return { kind: 'reconcile', target: { weights, bounds, source: SOURCE }, ...rest };
};
const planOf = (reading: FleetReading, intent: ReconcileIntent) => plan(assembleSnapshot(reading), intent, ctx);
const weightsAt = (p: Plan, stage: number) => Object.fromEntries(p.stages[stage]!.traffic.map((t) => [t.region, t.weight]));
const loadAt = (p: Plan, stage: number) => Object.fromEntries(p.stages[stage]!.load.map((l) => [l.region, [l.needed, l.instances]]));
const groupOf = (reading: FleetReading, region: string) => reading.groups.find((g) => g.name === `api-${region}`)!;

describe('sizing a reconcile against the fleet it returns to', () => {
  const p = planOf(halfMoved(), reconcile({ [NAME]: BEFORE }, { stages: 1 }));

  it('requires what each region ran by its pin record, pins only the region that regains traffic, and keeps the others', () => {
    expect(p.blockers).toEqual([]);
    // Shares now 50 : 125 : 125 → 1/6, 5/12, 5/12; at the target 1/3 each. us-east-1 gains and ran 10 (no pin record);
    // the survivors lose traffic and keep what they run (16), though their records say they ran 10. (Their readings
    // list the 10 instances in service before the pin; the 6 added are not in service yet.)
    expect(p.services).toHaveLength(1);
    expect(p.services[0]!.regions).toEqual([
      { service: 'api', region: EAST, share: 1 / 6, targetShare: 1 / 3, current: 10, inService: 10, required: 10, target: 10, ceiling: 20, shortfall: 0 },
      { service: 'api', region: WEST, share: 5 / 12, targetShare: 1 / 3, current: 16, inService: 10, required: 10, target: 16, ceiling: 20, shortfall: 0 },
      { service: 'api', region: EU, share: 5 / 12, targetShare: 1 / 3, current: 16, inService: 10, required: 10, target: 16, ceiling: 20, shortfall: 0 },
    ]);
    expect(p.groupChanges.map((c) => [c.group, c.from, c.to])).toEqual([['api-us-east-1', { minSize: 2, desiredCapacity: 10, maxSize: 20 }, { minSize: 10, desiredCapacity: 10, maxSize: 20 }]]);
  });

  it('judges the stage by the fleet returned to: 10 instances per third', () => {
    // At the target each region serves 1/3, as each did with 10: needed 10 everywhere, against 10, 16, 16 running.
    expect(p.stages).toHaveLength(1);
    expect(loadAt(p, 0)).toEqual({ [EAST]: [10, 10], [WEST]: [10, 16], [EU]: [10, 16] });
  });

  it('lets the pinned region go from where it was pinned, to the bounds it had', () => {
    const east = p.finalGroupChanges.find((c) => c.region === EAST)!;
    expect([east.from, east.to]).toEqual([
      { minSize: 10, desiredCapacity: 10, maxSize: 20 },
      { minSize: 2, desiredCapacity: 10, maxSize: 20 },
    ]);
  });
});

describe('a region that regains traffic', () => {
  it('keeps what it runs when it runs more than its record says it ran', () => {
    const reading = halfMoved();
    groupOf(reading, EAST).tags = { ...groupOf(reading, EAST).tags, ...pin({ minSize: 2, desiredCapacity: 6, maxSize: 20 }) };
    const p = planOf(reading, reconcile({ [NAME]: BEFORE }));
    // Ran 6, runs 10: pinned at max(10, 6) = 10.
    expect(p.services[0]!.regions[0]).toMatchObject({ required: 6, target: 10, shortfall: 0 });
    expect(p.groupChanges.map((c) => [c.group, c.to])).toEqual([['api-us-east-1', { minSize: 10, desiredCapacity: 10, maxSize: 20 }]]);
  });

  it('is short when what it ran is beyond its ceiling, and is pinned at the ceiling', () => {
    const reading = halfMoved();
    groupOf(reading, EAST).tags = { ...groupOf(reading, EAST).tags, ...pin({ minSize: 2, desiredCapacity: 25, maxSize: 30 }) };
    const p = planOf(reading, reconcile({ [NAME]: BEFORE }));
    // Ran 25; runs 10 with MaxSize 20: ceiling max(20, 10) = 20, target min(25, 20) = 20, short 25 − 20 = 5.
    expect(p.services[0]!.regions[0]).toMatchObject({ required: 25, target: 20, ceiling: 20, shortfall: 5 });
    expect(p.blockers).toHaveLength(1);
    expect(p.blockers[0]).toMatchObject({ code: 'LB_ERR_SHORTFALL', details: { shortfalls: [{ service: 'api', region: EAST, required: 25, ceiling: 20, short: 5 }] } });
    expect(p.groupChanges.map((c) => [c.group, c.to])).toEqual([['api-us-east-1', { minSize: 20, desiredCapacity: 20, maxSize: 20 }]]);
  });

  it('is spread over its groups as a prescale spreads it, a group already there left alone', () => {
    const reading = halfMoved();
    const east = groupOf(reading, EAST);
    east.desiredCapacity = 5;
    east.minSize = 1;
    east.maxSize = 10;
    east.instances = east.instances.slice(0, 5);
    east.tags = { ...east.tags, ...pin({ minSize: 1, desiredCapacity: 9, maxSize: 10 }) };
    reading.groups.push({ ...east, name: 'api-us-east-1-b', minSize: 5, desiredCapacity: 5, maxSize: 5, tags: { 'lifeboat:service': 'api', 'lifeboat:traffic': NAME } });
    const p = planOf(reading, reconcile({ [NAME]: BEFORE }));
    // us-east-1 runs 5 + 5 = 10 and ran 9 + 5 = 14: target 14. Group b is full (MaxSize 5): a takes the 4, 5 → 9.
    expect(p.services[0]!.regions[0]).toMatchObject({ current: 10, required: 14, target: 14, ceiling: 15 });
    expect(p.groupChanges.map((c) => [c.group, c.to])).toEqual([['api-us-east-1', { minSize: 9, desiredCapacity: 9, maxSize: 10 }]]);
  });

  it('is only a region whose share rises: one whose share stays is not pinned', () => {
    // 50/125/125 → 50/100/150: us-east-1 stays at 1/6, us-west-2 loses, eu-west-1 gains but already runs 16 ≥ 10 at MinSize 16.
    const p = planOf(halfMoved(), reconcile({ [NAME]: { [WEST]: 100, [EU]: 150 } }, { stages: 1 }));
    expect(p.blockers).toEqual([]);
    expect(p.names).toEqual([NAME]);
    expect(p.groupChanges).toEqual([]);
    expect(weightsAt(p, 0)).toEqual({ [EAST]: 50, [WEST]: 100, [EU]: 150 });
  });
});

describe('the weights a reconcile ends on', () => {
  it('keeps the weight of a region the target does not name, and warns of a region named that has no record', () => {
    const p = planOf(halfMoved(), reconcile({ [NAME]: { [EAST]: 100, 'ap-south-1': 50 } }, { stages: 1 }));
    expect(p.warnings).toContainEqual({
      code: 'RECIPIENT_WITHOUT_RECORD',
      message: 'api.example.com has no record for ap-south-1; its weight there is not set',
      details: { name: NAME, region: 'ap-south-1' },
    });
    expect(weightsAt(p, 0)).toEqual({ [EAST]: 100, [WEST]: 125, [EU]: 125 });
  });

  it('reconciles only the names whose weights differ, and sizes only their services', () => {
    const services: ServiceSpec[] = [
      ...apiInThreeRegions(),
      { name: 'web', dns: 'www.example.com', regions: { [EAST]: { desired: 6, weight: 1 }, [WEST]: { desired: 6, weight: 1 }, [EU]: { desired: 6, weight: 1 } } },
    ];
    const p = planOf(halfMoved(services), reconcile({ 'www.example.com': { [EAST]: 1, [WEST]: 1, [EU]: 1 }, [NAME]: BEFORE }));
    expect(p.names).toEqual([NAME]);
    expect(p.services.map((s) => s.service)).toEqual(['api']);
  });

  it('warns of a name that has no records now and, with nothing else to do, says the fleet already matches', () => {
    const p = planOf(fleetReading(apiInThreeRegions()), reconcile({ 'www.example.com': BEFORE }));
    expect(p.warnings).toContainEqual({
      code: 'NAME_WITHOUT_REGION_RECORD',
      message: 'www.example.com has no weighted records now; its weights are not reconciled',
      details: { name: 'www.example.com' },
    });
    expect(p.warnings).toContainEqual({ code: 'RECONCILE_TARGET', message: `reconcile to ${SOURCE}`, details: { source: SOURCE } });
    expect(p.blockers).toEqual([{ code: 'LB_ERR_NOTHING_TO_DO', message: `the fleet already matches ${SOURCE}`, details: {} }]);
  });

  it('takes a region to 0 as long as another still serves', () => {
    const p = planOf(halfMoved(), reconcile({ [NAME]: { [EAST]: 0 } }, { stages: 1 }));
    expect(p.blockers).toEqual([]);
    expect(weightsAt(p, 0)).toEqual({ [EAST]: 0, [WEST]: 125, [EU]: 125 });
  });

  it('refuses weights that leave a name served by no region, saying which, and plans nothing', () => {
    const p = planOf(halfMoved(), reconcile({ [NAME]: { [EAST]: 0, [WEST]: 0, [EU]: 0 } }));
    expect(p.blockers).toEqual([{ code: 'LB_ERR_NO_SERVING_REGION', message: 'the weights asked for api.example.com are all 0: no region would serve it', details: { name: NAME } }]);
    expect(p.services).toEqual([]);
    expect(p.stages).toEqual([]);
  });

  it('refuses all of a reconcile when one name would be served by no region, the other names included', () => {
    const services: ServiceSpec[] = [
      ...apiInThreeRegions(),
      { name: 'web', dns: 'www.example.com', regions: { [EAST]: { desired: 6, weight: 1 }, [WEST]: { desired: 6, weight: 1 }, [EU]: { desired: 6, weight: 1 } } },
    ];
    const p = planOf(halfMoved(services), reconcile({ [NAME]: { [EAST]: 0, [WEST]: 0, [EU]: 0 }, 'www.example.com': { [EAST]: 2 } }, { bounds: [{ region: WEST, group: 'api-us-west-2', minSize: 2, maxSize: 20 }] }));
    expect(p.blockers.map((b) => b.code)).toEqual(['LB_ERR_NO_SERVING_REGION']);
    expect(p.names).toEqual([]);
    expect(p.stages).toEqual([]);
    expect(p.finalGroupChanges).toEqual([]);
  });

  it('refuses a model that does not exist, still saying what it reconciles to', () => {
    const p = planOf(halfMoved(), reconcile({ [NAME]: BEFORE }, { model: 'magic' }));
    expect(p.blockers).toEqual([{ code: 'LB_ERR_UNKNOWN_MODEL', message: 'no capacity model named magic', details: { model: 'magic' } }]);
    expect(p.warnings).toContainEqual({ code: 'RECONCILE_TARGET', message: `reconcile to ${SOURCE}`, details: { source: SOURCE } });
    expect(p.stages).toEqual([]);
  });

  it('moves in the stages asked, or the default two', () => {
    expect(planOf(halfMoved(), reconcile({ [NAME]: BEFORE }, { stages: 3 })).stages.map((s) => s.percent)).toEqual([33.3, 66.7, 100]);
    expect(planOf(halfMoved(), reconcile({ [NAME]: BEFORE })).stages.map((s) => s.percent)).toEqual([50, 100]);
  });
});

describe('letting groups go at the end', () => {
  it('puts DesiredCapacity inside the bounds asked, from above and from below', () => {
    const bounds = [
      { region: WEST, group: 'api-us-west-2', minSize: 2, maxSize: 8 },
      { region: EU, group: 'api-eu-west-1', minSize: 12, maxSize: 30 },
      { region: EAST, group: 'api-gone', minSize: 1, maxSize: 2 },
    ];
    const p = planOf(fleetReading(apiInThreeRegions()), reconcile({}, { bounds }));
    // Both run 10: us-west-2 → min(10, 8) = 8; eu-west-1 → max(10, 12) = 12. A group the fleet lacks is passed over.
    expect(p.blockers).toEqual([]);
    expect(p.finalGroupChanges.map((c) => [c.group, c.from, c.to])).toEqual([
      ['api-us-west-2', { minSize: 2, desiredCapacity: 10, maxSize: 20 }, { minSize: 2, desiredCapacity: 8, maxSize: 8 }],
      ['api-eu-west-1', { minSize: 2, desiredCapacity: 10, maxSize: 20 }, { minSize: 12, desiredCapacity: 12, maxSize: 30 }],
    ]);
  });

  it('has nothing to do for a group already at its bounds that carries no pin record', () => {
    const p = planOf(fleetReading(apiInThreeRegions()), reconcile({}, { bounds: [{ region: WEST, group: 'api-us-west-2', minSize: 2, maxSize: 20 }] }));
    expect(p.finalGroupChanges).toEqual([]);
    expect(p.blockers.map((b) => b.code)).toEqual(['LB_ERR_NOTHING_TO_DO']);
  });

  it('is not needed for a move that pins nothing: its stages are work enough', () => {
    // us-east-1 regains traffic but is already held at what it runs ({10, 10, 20}): nothing to pin, nothing to let go.
    const reading = halfMoved();
    groupOf(reading, EAST).minSize = 10;
    for (const g of reading.groups) g.tags = { 'lifeboat:service': 'api', 'lifeboat:traffic': NAME };
    const p = planOf(reading, reconcile({ [NAME]: BEFORE }));
    expect(p.groupChanges).toEqual([]);
    expect(p.finalGroupChanges).toEqual([]);
    expect(p.stages).toHaveLength(2);
    expect(p.blockers).toEqual([]);
  });
});
