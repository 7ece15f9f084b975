import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { FleetReading } from '../../src/core/fleet';
import type { ReconcileIntent } from '../../src/core/intents';
import { pinTags } from '../../src/core/pins';
import { DEFAULT_PLAN_CONTEXT, plan } from '../../src/core/planner/plan';
import { assembleSnapshot } from '../../src/core/snapshot';
import { apiInThreeRegions, fleetReading } from '../support/fleet-fixture';

const ctx = { ...DEFAULT_PLAN_CONTEXT, models: loadModels() };
const BEFORE = { 'us-east-1': 100, 'us-west-2': 100, 'eu-west-1': 100 };
const SURVIVORS = ['us-west-2', 'eu-west-1'];

/**
 * The fleet an evacuation of us-east-1 leaves behind when Redis loses its records after
 * stage 1: api ran 10 (MinSize 2, MaxSize 20) with weight 100 everywhere; the survivors are
 * pinned at 16 (with lifeboat's pin records), and the weights are stage 1's, 50/125/125.
 */
function halfMoved(): FleetReading {
  const reading = fleetReading(apiInThreeRegions());
  for (const g of reading.groups.filter((g) => SURVIVORS.includes(g.region))) {
    g.tags = { ...g.tags, ...pinTags({ operationId: 'op_lost', from: { minSize: 2, desiredCapacity: 10, maxSize: 20 }, weightsBefore: BEFORE }) };
    g.minSize = 16;
    g.desiredCapacity = 16;
  }
  const weights: Record<string, number> = { 'us-east-1': 50, 'us-west-2': 125, 'eu-west-1': 125 };
  for (const r of reading.zones[0]!.records) r.weight = weights[r.setIdentifier!];
  return reading;
}

const reconcile = (target: ReconcileIntent['target'], extra: Partial<ReconcileIntent> = {}): ReconcileIntent => ({ kind: 'reconcile', target, ...extra });
const survivorsBounds = SURVIVORS.map((region) => ({ region, group: `api-${region}`, minSize: 2, maxSize: 20 }));

describe('planning a reconcile of an evacuation Redis lost after stage 1', () => {
  const p = plan(assembleSnapshot(halfMoved()), reconcile({ weights: { 'api.example.com': BEFORE }, bounds: survivorsBounds, source: 'the pin records of op_lost' }, { stages: 2 }), ctx);

  it('has no blockers, and says what it returns the fleet to', () => {
    expect(p.blockers).toEqual([]);
    expect(p.warnings.map((w) => w.message)).toContain('reconcile to the pin records of op_lost');
  });

  it('pins the region that regains traffic where it is (it served that share with that) before any of it arrives, and no other', () => {
    expect(p.groupChanges.map((c) => [c.region, c.to])).toEqual([['us-east-1', { minSize: 10, desiredCapacity: 10, maxSize: 20 }]]);
  });

  it('judges every stage against the fleet returned to: nobody over capacity', () => {
    for (const stage of p.stages) for (const l of stage.load) expect(l.loadFactor, `${l.region} stage ${stage.index}`).toBeLessThanOrEqual(1);
  });

  it('moves the weights back in stages that end exactly on the recorded ones', () => {
    expect(p.stages).toHaveLength(2);
    const last = p.stages.at(-1)!;
    expect(Object.fromEntries(last.traffic.map((t) => [t.region, t.weight]))).toEqual(BEFORE);
    const first = Object.fromEntries(p.stages[0]!.traffic.map((t) => [t.region, t.weight]));
    expect(first['us-east-1']).toBeGreaterThan(50);
    expect(first['us-east-1']).toBeLessThan(100);
  });

  it('lets every group go at the end: the survivors at the bounds they had before, us-east-1 at its own', () => {
    const final = Object.fromEntries(p.finalGroupChanges.map((c) => [c.region, [c.to.minSize, c.to.desiredCapacity, c.to.maxSize]]));
    // DesiredCapacity stays where it is within the bounds: the groups' own scaling brings it down.
    expect(final).toEqual({ 'us-east-1': [2, p.groupChanges[0]!.to.desiredCapacity, 20], 'us-west-2': [2, 16, 20], 'eu-west-1': [2, 16, 20] });
  });
});

describe('reconcile when there is nothing, or nothing safe, to do', () => {
  it('says the fleet already matches the target', () => {
    const p = plan(assembleSnapshot(fleetReading(apiInThreeRegions())), reconcile({ weights: { 'api.example.com': BEFORE }, bounds: [], source: 'the weights given' }), ctx);
    expect(p.blockers.map((b) => b.code)).toEqual(['LB_ERR_NOTHING_TO_DO']);
  });

  it('refuses weights that leave a name served by no region', () => {
    const zero = { 'us-east-1': 0, 'us-west-2': 0, 'eu-west-1': 0 };
    const p = plan(assembleSnapshot(halfMoved()), reconcile({ weights: { 'api.example.com': zero }, bounds: [], source: 'the weights given' }), ctx);
    expect(p.blockers.map((b) => b.code)).toEqual(['LB_ERR_NO_SERVING_REGION']);
  });

  it('lets go of a group that is back at its bounds but still carries a pin record, so the record goes too', () => {
    const reading = fleetReading(apiInThreeRegions());
    const g = reading.groups.find((g) => g.region === 'us-west-2')!;
    g.tags = { ...g.tags, ...pinTags({ operationId: 'op_lost', from: { minSize: 2, desiredCapacity: 10, maxSize: 20 } }) };
    const p = plan(assembleSnapshot(reading), reconcile({ weights: {}, bounds: [{ region: 'us-west-2', group: g.name, minSize: 2, maxSize: 20 }], source: 'the pin records of op_lost' }), ctx);
    expect(p.blockers).toEqual([]);
    expect(p.stages).toEqual([]);
    expect(p.finalGroupChanges.map((c) => [c.group, c.from, c.to])).toEqual([[g.name, { minSize: 2, desiredCapacity: 10, maxSize: 20 }, { minSize: 2, desiredCapacity: 10, maxSize: 20 }]]);
  });
});
