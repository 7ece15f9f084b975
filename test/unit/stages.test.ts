import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { EvacuateIntent } from '../../src/core/intents';
import { pacedContexts } from '../../src/core/planner/capacity-pace';
import { indexFleet } from '../../src/core/planner/fleet-index';
import { DEFAULT_PLAN_CONTEXT, plan } from '../../src/core/planner/plan';
import { buildStages, stagePercents } from '../../src/core/planner/stages';
import type { ServiceSpec } from '../support/fleet-fixture';
import { apiInThreeRegions, fleet } from '../support/fleet-fixture';

const ctx = { ...DEFAULT_PLAN_CONTEXT, models: loadModels() };
const NAME = 'api.example.com';
const F = 'us-east-1';
const W = 'us-west-2';
const E = 'eu-west-1';

/** api with weight 100 in each of three regions: a third each. */
function world() {
  const index = indexFleet(fleet(apiInThreeRegions()));
  const before = new Map([[NAME, new Map(index.sharesOf.get(NAME)!)]]);
  return { index, before };
}

const evacuated = new Map([[NAME, new Map([[F, 0], [W, 0.5], [E, 0.5]])]]);

describe('stage percentages', () => {
  it('splits a move into equal cumulative steps rounded to a tenth of a percent, the last exactly 100', () => {
    // 100/3 = 33.33… → 33.3; 200/3 = 66.66… → 66.7.
    expect(stagePercents(3)).toEqual([33.3, 66.7, 100]);
    expect(stagePercents(4)).toEqual([25, 50, 75, 100]);
    // 100/7 = 14.285… → 14.3; 600/7 = 85.71… → 85.7.
    expect(stagePercents(7)).toEqual([14.3, 28.6, 42.9, 57.1, 71.4, 85.7, 100]);
    expect(stagePercents(1)).toEqual([100]);
  });

  it('takes percentages given as a list as they are', () => {
    expect(stagePercents([10, 40, 100])).toEqual([10, 40, 100]);
  });
});

describe('building stages', () => {
  it('drops a stage whose weights change nothing, and numbers the stages left from 1', () => {
    const { index, before } = world();
    const base = { index, before, after: evacuated, services: [], serviceShares: new Map(), instances: new Map() };
    // The second 50 % repeats the first: dropped.
    expect(buildStages({ ...base, percents: [50, 50, 100] }).map((s) => [s.index, s.percent])).toEqual([
      [1, 50],
      [2, 100],
    ]);
    // A last stage that repeats the one before it is dropped too.
    expect(buildStages({ ...base, percents: [50, 100, 100] }).map((s) => [s.index, s.percent])).toEqual([
      [1, 50],
      [2, 100],
    ]);
  });

  it('keeps one stage without weight changes for a move that changes no weight, so the plan still has its last stage', () => {
    const { index, before } = world();
    const stages = buildStages({ index, before, after: before, percents: [50, 100], services: [], serviceShares: new Map(), instances: new Map() });
    expect(stages).toHaveLength(1);
    expect(stages[0]).toMatchObject({ index: 1, percent: 100, weights: [] });
  });

  it('lists only the records whose weight changes, with the weight before and after', () => {
    const { index, before } = world();
    // Half of us-east-1 to eu-west-1: 1/6, 1/3, 1/2 on the operator's scale of 300 → 50, 100, 150; us-west-2 stays at 100.
    const after = new Map([[NAME, new Map([[F, 1 / 6], [W, 1 / 3], [E, 0.5]])]]);
    const [stage] = buildStages({ index, before, after, percents: [100], services: [], serviceShares: new Map(), instances: new Map() });
    expect(stage!.weights.map((w) => [w.region, w.from, w.to])).toEqual([
      [F, 100, 50],
      [E, 100, 150],
    ]);
    expect(stage!.traffic.find((t) => t.region === W)).toMatchObject({ weight: 100, share: 1 / 3 });
  });
});

describe('load per stage', () => {
  // Throughput: 10 instances of 100 per region at 60 % serve a third of 1800 each, exactly.
  const services: ServiceSpec[] = [{ name: 'api', dns: NAME, capacityPerInstance: 100, regions: Object.fromEntries([F, W, E].map((r) => [r, { desired: 10, min: 1, max: 100, weight: 100 }])) }];
  const snapshot = fleet(services);
  const intent: EvacuateIntent = { kind: 'evacuate', region: F, model: 'throughput', serviceParameters: { api: { demand: 1800 } } };
  const contexts = pacedContexts(snapshot, intent, plan(snapshot, intent, ctx), ctx).get(NAME)!;

  it('marks a region with no instances that still has a share as unservable, and one with neither as idle', () => {
    const index = indexFleet(snapshot);
    const before = new Map([[NAME, new Map(index.sharesOf.get(NAME)!)]]);
    // us-east-1 has lost all its instances; the survivors run 15 each.
    const stages = buildStages({ index, before, after: evacuated, percents: [50, 100], services: contexts, serviceShares: new Map(), instances: new Map([['api', [0, 15, 15]]]) });
    const load = (k: number, region: string) => stages[k]!.load.find((l) => l.region === region)!;
    // Stage 1: us-east-1 still carries 1/6 on 0 instances.
    expect(load(0, F)).toMatchObject({ share: 1 / 6, instances: 0, loadFactor: null });
    expect(load(0, F).needed).toBeGreaterThan(0);
    // Stage 2: nothing on nothing.
    expect(load(1, F)).toMatchObject({ share: 0, instances: 0, needed: 0, loadFactor: 0 });
    // A survivor at half of 1800 needs 900 / (100 × 0.6) = 15 instances: exactly its 15.
    expect(load(1, W)).toMatchObject({ share: 0.5, instances: 15, needed: 15, loadFactor: 1 });
  });

  it('never rounds a survivor whose instances serve less than its stage share above that share', () => {
    // Weights 1/1/1 leave no scale to keep, so each stage is rounded afresh. us-west-2 runs 8 instances:
    // 8 × 100 × 0.6 / 1800 = 4/15 ≈ 0.267 of api, less than any share it is meant to carry, so whole
    // weights may round it down but never up. eu-west-1's 40 instances serve all of it.
    const snapshot1 = fleet([{ ...services[0]!, regions: Object.fromEntries([F, W, E].map((r) => [r, { desired: 10, min: 1, max: 100, weight: 1 }])) }]);
    const index = indexFleet(snapshot1);
    const before = new Map([[NAME, new Map(index.sharesOf.get(NAME)!)]]);
    const percents = [33.3, 100];
    const stages = buildStages({ index, before, after: evacuated, percents, services: contexts, serviceShares: new Map(), instances: new Map([['api', [10, 8, 40]]]) });
    expect(stages.map((s) => s.percent)).toEqual(percents);
    for (const stage of stages) {
      // us-west-2 is meant to carry 1/3 + (1/2 − 1/3) × the percentage: 0.38883… at 33.3 %, 1/2 at 100 %.
      const meant = 1 / 3 + (1 / 2 - 1 / 3) * (stage.percent / 100);
      expect(stage.traffic.find((t) => t.region === W)!.share).toBeLessThanOrEqual(meant + 1e-12);
    }
  });

  it('moves a service without traffic records in step with the stage percentage', () => {
    const withWorker: ServiceSpec[] = [...apiInThreeRegions(), { name: 'worker', regions: { [F]: { desired: 4 }, [W]: { desired: 4 }, [E]: { desired: 4 } } }];
    const p = plan(fleet(withWorker), { kind: 'evacuate', region: F }, ctx);
    expect(p.stages.map((s) => s.percent)).toEqual([50, 100]);
    const share = (k: number, region: string) => p.stages[k]!.load.find((l) => l.service === 'worker' && l.region === region)!.share;
    // Halfway: us-east-1 from 1/3 to 0 → 1/6; us-west-2 from 1/3 to 1/2 → 5/12.
    expect(share(0, F)).toBeCloseTo(1 / 6, 12);
    expect(share(0, W)).toBeCloseTo(5 / 12, 12);
    expect(share(1, F)).toBe(0);
  });
});
