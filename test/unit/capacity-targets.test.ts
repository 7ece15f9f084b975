import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { CapacityTarget } from '../../src/core/planner/plan-types';
import type { ServiceContext, Sizing } from '../../src/core/planner/capacity-targets';
import { capacityTargets, movedShareOf, serviceContext, serviceContexts, servicePlan, shortfallsOf } from '../../src/core/planner/capacity-targets';
import type { FleetIndex } from '../../src/core/planner/fleet-index';
import { indexFleet } from '../../src/core/planner/fleet-index';
import type { ServiceSpec } from '../support/fleet-fixture';
import { fleet } from '../support/fleet-fixture';

/**
 * What the planner gathers to size one service (serviceContext) and the verdict per region at
 * a target share (capacityTargets), called directly. Regions: us-east-1, us-west-2, eu-west-1.
 */
const models = loadModels();
const proportional: Sizing = { model: models.get('proportional')!, models, maxSizeGrowth: 1 };

/** api: weighted 1/2/1 (shares 1/4, 1/2, 1/4), 4/8/4 instances; worker: no traffic record, 6/3/3 instances; img only in us-east-1, two groups. */
const services: ServiceSpec[] = [
  {
    name: 'api',
    dns: 'api.example.com',
    capacityPerInstance: 50,
    regions: {
      'us-east-1': { desired: 4, min: 1, max: 10, weight: 1, inService: 3 },
      'us-west-2': { desired: 8, min: 2, max: 16, weight: 2 },
      'eu-west-1': { desired: 4, min: 1, max: 10, weight: 1 },
    },
  },
  { name: 'worker', regions: { 'us-east-1': { desired: 6, max: 12 }, 'us-west-2': { desired: 3, max: 6 }, 'eu-west-1': { desired: 3, max: 6 } } },
  { name: 'img', dns: 'img.example.com', regions: { 'us-east-1': { desired: 6, min: 2, max: 15, weight: 5, groups: 2 } } },
];
const index = indexFleet(fleet(services));

describe('gathering what sizes a service', () => {
  it('takes each region’s sizes from its groups and its share from the weights of its traffic name', () => {
    const c = serviceContext(index, 'api', {}, proportional);
    expect(c.service).toBe('api');
    expect(c.trafficName).toBe('api.example.com');
    expect(c.model).toBe(proportional.model);
    expect(c.demand).toEqual({ how: 'counts' });
    expect(c.parameters).toEqual({ headroom: 0.1 });
    expect(c.inputs).toEqual({
      service: 'api',
      regions: ['us-east-1', 'us-west-2', 'eu-west-1'],
      current: [4, 8, 4],
      inService: [3, 8, 4],
      minSize: [1, 2, 1],
      maxSize: [10, 16, 10],
      // Weights 1 : 2 : 1 of 4.
      share: [0.25, 0.5, 0.25],
      targetShare: [0.25, 0.5, 0.25],
      capacityPerInstance: [50, 50, 50],
    });
    // One group per region: the ceiling is its MaxSize when MaxSize may not grow.
    expect(c.ceilings).toEqual([10, 16, 10]);
    expect([...c.groups.keys()]).toEqual(['us-east-1', 'us-west-2', 'eu-west-1']);
    expect(c.groups.get('us-west-2')!.map((g) => g.name)).toEqual(['api-us-west-2']);
  });

  it('gives a service without a traffic record the share of instances it runs, and no traffic name', () => {
    const c = serviceContext(index, 'worker', {}, proportional);
    // 6 + 3 + 3 = 12 instances: 6/12, 3/12, 3/12.
    expect(c.inputs.share).toEqual([0.5, 0.25, 0.25]);
    expect(c.inputs.targetShare).toEqual([0.5, 0.25, 0.25]);
    expect('trafficName' in c).toBe(false);
    expect(c.inputs.capacityPerInstance).toEqual([NaN, NaN, NaN]);
  });

  it('gives a region where the service runs nothing zero of everything, no ceiling and no share', () => {
    const c = serviceContext(index, 'img', {}, proportional);
    expect(c.inputs.current).toEqual([6, 0, 0]);
    expect(c.inputs.inService).toEqual([6, 0, 0]);
    expect(c.inputs.minSize).toEqual([2, 0, 0]);
    expect(c.inputs.maxSize).toEqual([15, 0, 0]);
    // Only us-east-1 has a record for img.example.com: the others get share 0.
    expect(c.inputs.share).toEqual([1, 0, 0]);
    // Two groups of MaxSize 8 and 7 (15 split two ways).
    expect(c.ceilings).toEqual([15, 0, 0]);
  });

  it('gives a service that runs no instances anywhere no share at all rather than dividing by zero', () => {
    const idle = indexFleet(fleet([{ name: 'worker', regions: { 'us-east-1': { desired: 0, min: 0, max: 4 }, 'us-west-2': { desired: 0, min: 0, max: 4 } } }], ['us-east-1', 'us-west-2']));
    expect(serviceContext(idle, 'worker', {}, proportional).inputs.share).toEqual([0, 0]);
  });

  it('gives a service whose traffic name has no records share 0 everywhere', () => {
    const unrouted = indexFleet(fleet([{ name: 'api', dns: 'api.example.com', regions: { 'us-east-1': { desired: 4 }, 'us-west-2': { desired: 4 } } }], ['us-east-1', 'us-west-2']));
    const c = serviceContext(unrouted, 'api', {}, proportional);
    expect(c.trafficName).toBe('api.example.com');
    expect(c.inputs.share).toEqual([0, 0]);
  });

  it('gives a service no group serves zero of everything', () => {
    const c = serviceContext(index, 'ghost', {}, proportional);
    expect(c.inputs.current).toEqual([0, 0, 0]);
    expect(c.inputs.maxSize).toEqual([0, 0, 0]);
    expect(c.inputs.share).toEqual([0, 0, 0]);
    expect(c.ceilings).toEqual([0, 0, 0]);
    expect(c.groups.size).toBe(0);
  });

  it('adds each group’s ceiling, raised by the MaxSize growth allowed', () => {
    // Groups of MaxSize 8 and 7: × 1.5 → 12 and ceil(10.5) = 11.
    const c = serviceContext(index, 'img', {}, { ...proportional, maxSizeGrowth: 1.5 });
    expect(c.ceilings).toEqual([23, 0, 0]);
  });

  it('takes the headroom shortcut over the parameters for every service, and a service’s own parameters over both', () => {
    const choice = { parameters: { headroom: 0.1 }, headroom: 0.2, serviceParameters: { api: { headroom: 0.3 } } };
    expect(serviceContext(index, 'api', choice, proportional).parameters).toEqual({ headroom: 0.3 });
    expect(serviceContext(index, 'worker', choice, proportional).parameters).toEqual({ headroom: 0.2 });
    expect(serviceContext(index, 'worker', { parameters: { headroom: 0.4 } }, proportional).parameters).toEqual({ headroom: 0.4 });
  });

  it('carries the fallback and its measured load inputs only when they exist', () => {
    const measured: Sizing = { model: models.get('measured')!, models, maxSizeGrowth: 1 };
    const c = serviceContext(index, 'api', {}, measured);
    expect(c.model.name).toBe('proportional');
    expect(c.fellBack).toEqual({ from: 'measured', reason: 'the fleet reading has no measured load (CloudWatch was not read)' });
    expect('load' in c.inputs).toBe(false);
    expect('fellBack' in serviceContext(index, 'api', {}, proportional)).toBe(false);
  });
});

describe('gathering every service a plan sizes', () => {
  it('keeps the services it can size, lists a problem for each it cannot, and warns of each fallback', () => {
    const measured: Sizing = { model: models.get('measured')!, models, maxSizeGrowth: 1 };
    // A utilization below measured's minimum (0.05) for worker only.
    const got = serviceContexts(index, ['api', 'worker'], { serviceParameters: { worker: { utilization: 0.01 } } }, measured);
    expect(got.contexts.map((c) => c.service)).toEqual(['api']);
    expect(got.problems).toMatchObject([{ code: 'LB_ERR_MODEL_PARAMETER', details: { model: 'measured', parameter: 'utilization', value: 0.01 } }]);
    expect(got.warnings).toMatchObject([{ code: 'MODEL_FALLBACK', details: { service: 'api', model: 'proportional', from: 'measured' } }]);
  });

  it('warns of nothing when the model asked sizes every service', () => {
    const got = serviceContexts(index, ['api', 'worker'], {}, proportional);
    expect(got.contexts.map((c) => c.service)).toEqual(['api', 'worker']);
    expect(got.problems).toEqual([]);
    expect(got.warnings).toEqual([]);
  });

  it('lets an error that is not lifeboat’s through instead of turning it into a problem', () => {
    const broken: FleetIndex = { ...index, groups: { get: () => { throw new Error('the index is broken'); } } as unknown as FleetIndex['groups'] };
    expect(() => serviceContexts(broken, ['api'], {}, proportional)).toThrow('the index is broken');
  });
});

describe('the share a service gets once its name has moved', () => {
  const api = serviceContext(index, 'api', {}, proportional);
  const worker = serviceContext(index, 'worker', {}, proportional);
  const after = new Map([['api.example.com', new Map([['us-west-2', 0.6], ['eu-west-1', 0.4]])]]);

  it('follows its name, region by region, a region without a record getting 0', () => {
    expect(movedShareOf(api, after, index.regions)).toEqual([0, 0.6, 0.4]);
  });

  it('is undefined for a service whose name does not move, or that has none', () => {
    expect(movedShareOf(api, new Map(), index.regions)).toBeUndefined();
    expect(movedShareOf(worker, after, index.regions)).toBeUndefined();
  });
});

describe('the verdict per region at a target share', () => {
  // api (proportional, headroom 0.1) moves to [0, 0.75, 0.25]: us-west-2 gains 1/4 at 8/0.5 = 16 instances per unit of share
  // → 8 + 16 × 0.25 × 1.1 = 12.4 → 13; eu-west-1 keeps its share; us-east-1 loses all of it.
  const api = serviceContext(index, 'api', {}, proportional);

  it('grows a region that gains to what the model requires, and leaves the others as they run', () => {
    const t = capacityTargets(api, [0, 0.75, 0.25]);
    expect(t).toEqual([
      { service: 'api', region: 'us-east-1', share: 0.25, targetShare: 0, current: 4, inService: 3, required: 0, target: 4, ceiling: 10, shortfall: 0 },
      { service: 'api', region: 'us-west-2', share: 0.5, targetShare: 0.75, current: 8, inService: 8, required: 13, target: 13, ceiling: 16, shortfall: 0 },
      // Same share: it needs what it runs (4 ÷ 0.25 × 0.25 = 4) and is left at 4.
      { service: 'api', region: 'eu-west-1', share: 0.25, targetShare: 0.25, current: 4, inService: 4, required: 4, target: 4, ceiling: 10, shortfall: 0 },
    ]);
  });

  it('caps a gaining region at its ceiling and counts the rest as its shortfall', () => {
    const tight = { ...api, ceilings: [10, 11, 10] };
    const t = capacityTargets(tight, [0, 0.75, 0.25]);
    // Needs 13, can reach 11: short 2.
    expect(t[1]).toMatchObject({ required: 13, target: 11, ceiling: 11, shortfall: 2 });
    expect(shortfallsOf(t)).toEqual([{ service: 'api', region: 'us-west-2', required: 13, ceiling: 11, short: 2 }]);
  });

  it('never shrinks a gaining region that already runs more than it needs', () => {
    const big = { ...api, inputs: { ...api.inputs, current: [4, 20, 4] } };
    // us-west-2 runs 20 for half: 40 per unit; gaining 1/4 needs 20 + 40 × 0.25 × 1.1 = 31. Capped at its ceiling 20
    // (max(16, the 20 it runs)), short 11 — but never below the 20 it runs.
    const t = capacityTargets(big, [0, 0.75, 0.25]);
    expect(t[1]).toMatchObject({ current: 20, required: 31, target: 20, ceiling: 20, shortfall: 11 });
    // A region that runs more than the model asks even after gaining keeps what it runs.
    const wide = { ...api, ceilings: [10, 40, 10], inputs: { ...api.inputs, current: [4, 30, 4], share: [0.25, 0.74, 0.01] } };
    const w = capacityTargets({ ...wide, model: models.get('throughput')!, parameters: { demand: 100, utilization: 0.5 } }, [0, 0.75, 0.25]);
    // throughput: 100 × 0.75 ÷ (50 × 0.5) = 3 < 30.
    expect(w[1]).toMatchObject({ required: 3, target: 30, shortfall: 0 });
  });

  it('does not grow a region whose share stays the same even when the model asks more than it runs', () => {
    // throughput at demand 1000: a quarter of it needs 1000 × 0.25 ÷ (50 × 0.5) = 10 instances; eu-west-1 runs 4 and its share stays.
    const t = capacityTargets({ ...api, model: models.get('throughput')!, parameters: { demand: 1000, utilization: 0.5 } }, [0, 0.75, 0.25]);
    expect(t[2]).toMatchObject({ share: 0.25, targetShare: 0.25, required: 10, target: 4, shortfall: 0 });
    // Float dust above the share, up to 1e-12, is not a gain either.
    const edge = capacityTargets({ ...api, model: models.get('throughput')!, parameters: { demand: 1000, utilization: 0.5 } }, [0, 0.75 - 1e-12, 0.25 + 1e-12]);
    expect(edge[2]).toMatchObject({ target: 4, shortfall: 0 });
    const dust = capacityTargets({ ...api, model: models.get('throughput')!, parameters: { demand: 1000, utilization: 0.5 } }, [0, 0.75 - 1e-13, 0.25 + 1e-13]);
    expect(dust[2]).toMatchObject({ target: 4, shortfall: 0 });
  });

  it('keeps a region that runs above its ceiling at what it runs, and counts that as its ceiling', () => {
    const over = { ...api, ceilings: [10, 6, 10] };
    const t = capacityTargets(over, [0, 0.75, 0.25]);
    // Ceiling max(6, 8 running) = 8; needs 13 → short 5.
    expect(t[1]).toMatchObject({ current: 8, target: 8, ceiling: 8, shortfall: 5 });
  });
});

describe('a service’s verdict as the plan shows it', () => {
  const regions: CapacityTarget[] = [];

  it('names the model that sized it, its demand and parameters, and its traffic name when it has one', () => {
    const api = serviceContext(index, 'api', {}, proportional);
    expect(servicePlan(api, regions)).toStrictEqual({ service: 'api', trafficName: 'api.example.com', model: 'proportional', demand: { how: 'counts' }, parameters: { headroom: 0.1 }, regions });
    // Strictly: no trafficName or fellBack key at all, not one set to undefined.
    const worker = serviceContext(index, 'worker', {}, proportional);
    expect(servicePlan(worker, regions)).toStrictEqual({ service: 'worker', model: 'proportional', demand: { how: 'counts' }, parameters: { headroom: 0.1 }, regions });
  });

  it('says which model it fell back from, and why', () => {
    const c: ServiceContext = serviceContext(index, 'api', {}, { ...proportional, model: models.get('measured')! });
    expect(servicePlan(c, regions)).toMatchObject({ model: 'proportional', fellBack: { from: 'measured' } });
  });
});
