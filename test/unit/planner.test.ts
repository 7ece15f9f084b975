import { describe, expect, it } from 'vitest';
import { loadModels } from '../../src/app/loaders/load-models';
import type { Intent } from '../../src/core/intents';
import { DEFAULT_PLAN_CONTEXT, plan } from '../../src/core/planner/plan';
import type { Plan } from '../../src/core/planner/plan-types';
import { renderPlan } from '../../src/text/plan-text';
import type { ServiceSpec } from '../support/fleet-fixture';
import { fleet } from '../support/fleet-fixture';

const ctx = { ...DEFAULT_PLAN_CONTEXT, models: loadModels() };

/** api: 10 instances and weight 100 in each of three regions; web: 6/12/6 with weights 1/2/1. */
const threeRegions = (apiMax = 20): ServiceSpec[] => [
  {
    name: 'api',
    dns: 'api.example.com',
    regions: {
      'us-east-1': { desired: 10, min: 2, max: 20, weight: 100 },
      'us-west-2': { desired: 10, min: 2, max: apiMax, weight: 100 },
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

const target = (p: Plan, service: string, region: string) => p.services.find((s) => s.service === service)!.regions.find((r) => r.region === region)!;
const evacuate = (region: string, extra: Partial<Intent> = {}): Intent => ({ kind: 'evacuate', region, ...extra }) as Intent;

describe('planning an evacuation of one of three regions', () => {
  const p = plan(fleet(threeRegions()), evacuate('us-east-1'), ctx);

  it('has no blockers and moves both names', () => {
    expect(p.blockers).toEqual([]);
    expect(p.names).toEqual(['api.example.com', 'www.example.com']);
  });

  it('sizes the survivors as a hand calculation does', () => {
    // api: 10 at 1/3 → 30 per unit share; each survivor absorbs 1/6 → 5, × 1.1 = 5.5 → 15.5 → 16.
    expect(target(p, 'api', 'us-west-2')).toMatchObject({ share: 1 / 3, targetShare: 0.5, current: 10, target: 16, shortfall: 0 });
    expect(target(p, 'api', 'eu-west-1')).toMatchObject({ target: 16 });
    // web: shares 1/4, 1/2, 1/4. us-west-2 absorbs 1/4 × 2/3 = 1/6 at 24 per unit → 4, × 1.1 = 4.4 → 16.4 → 17;
    // eu-west-1 absorbs 1/12 at 24 per unit → 2, × 1.1 = 2.2 → 8.2 → 9.
    expect(target(p, 'web', 'us-west-2')).toMatchObject({ target: 17 });
    expect(target(p, 'web', 'eu-west-1')).toMatchObject({ target: 9 });
  });

  it('leaves the evacuated region’s capacity alone', () => {
    expect(target(p, 'api', 'us-east-1')).toMatchObject({ targetShare: 0, current: 10, target: 10 });
    expect(p.groupChanges.filter((c) => c.region === 'us-east-1')).toEqual([]);
  });

  it('pins each survivor group at its target: MinSize and DesiredCapacity together, MaxSize untouched', () => {
    expect(p.groupChanges).toContainEqual({
      region: 'us-west-2',
      group: 'api-us-west-2',
      service: 'api',
      from: { minSize: 2, desiredCapacity: 10, maxSize: 20 },
      to: { minSize: 16, desiredCapacity: 16, maxSize: 20 },
    });
    expect(p.groupChanges).toHaveLength(4);
  });

  it('moves traffic in two stages whose weights are whole and end with the region at 0', () => {
    expect(p.stages.map((s) => s.percent)).toEqual([50, 100]);
    const apiWeights = (i: number) => Object.fromEntries(p.stages[i]!.weights.filter((w) => w.name === 'api.example.com').map((w) => [w.region, w.to]));
    // Stage 1: us-east-1 keeps 1/6, the others 5/12 each; on the operator's scale of 300: 50 : 125 : 125.
    expect(apiWeights(0)).toEqual({ 'us-east-1': 50, 'us-west-2': 125, 'eu-west-1': 125 });
    expect(apiWeights(1)).toEqual({ 'us-east-1': 0, 'us-west-2': 150, 'eu-west-1': 150 });
    const final = p.stages[1]!.traffic.filter((t) => t.name === 'www.example.com');
    expect(final.find((t) => t.region === 'us-east-1')!.share).toBe(0);
    expect(final.find((t) => t.region === 'us-west-2')!.share).toBeCloseTo(2 / 3, 2);
  });

  it('predicts every survivor within its capacity at every stage', () => {
    for (const stage of p.stages) for (const l of stage.load) expect(l.loadFactor).toBeLessThanOrEqual(1);
  });

  it('is JSON and reads as a table', () => {
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    const text = renderPlan(p);
    expect(text).toContain('Plan: evacuate us-east-1');
    expect(text).toMatch(/api\s+us-west-2\s+33\.3% → 50\.0%\s+10\s+10 → 16/);
    expect(text).toContain('Stage 2 (100% of the move)');
  });

  it('gives the same plan for the same inputs', () => {
    expect(plan(fleet(threeRegions()), evacuate('us-east-1'), ctx)).toEqual(p);
  });
});

describe('refusing unsafe or impossible plans', () => {
  it('reports the shortfall in instances per service and region when MaxSize is too low', () => {
    const p = plan(fleet(threeRegions(12)), evacuate('us-east-1'), ctx);
    expect(p.blockers).toHaveLength(1);
    expect(p.blockers[0]).toMatchObject({
      code: 'LB_ERR_SHORTFALL',
      details: { shortfalls: [{ service: 'api', region: 'us-west-2', required: 16, ceiling: 12, short: 4 }] },
    });
    expect(p.blockers[0]!.message).toContain('api in us-west-2 needs 16 but can reach 12 (short 4)');
    expect(target(p, 'api', 'us-west-2')).toMatchObject({ target: 12, shortfall: 4 });
  });

  it('raises MaxSize up to the allowed growth instead of falling short', () => {
    const p = plan(fleet(threeRegions(12)), evacuate('us-east-1', { maxSizeGrowth: 1.5 }), ctx);
    expect(p.blockers).toEqual([]);
    expect(p.groupChanges.find((c) => c.group === 'api-us-west-2')!.to).toEqual({ minSize: 16, desiredCapacity: 16, maxSize: 16 });
  });

  it('refuses an evacuation that leaves no serving region', () => {
    const services: ServiceSpec[] = [
      { name: 'api', dns: 'api.example.com', regions: { 'us-east-1': { desired: 10, weight: 100 }, 'us-west-2': { desired: 10, weight: 0 } } },
    ];
    const p = plan(fleet(services, ['us-east-1', 'us-west-2']), evacuate('us-east-1'), ctx);
    expect(p.blockers.map((b) => b.code)).toEqual(['LB_ERR_NO_SERVING_REGION']);
    expect(p.stages).toEqual([]);
    expect(p.groupChanges).toEqual([]);
  });

  it('refuses to evacuate the only region of a service without a traffic record, as it does one with a traffic name', () => {
    const services: ServiceSpec[] = [
      { name: 'api', dns: 'api.example.com', regions: { 'us-east-1': { desired: 10, weight: 100 }, 'us-west-2': { desired: 10, weight: 100 } } },
      { name: 'batch', regions: { 'us-east-1': { desired: 4 } } },
    ];
    const p = plan(fleet(services, ['us-east-1', 'us-west-2']), evacuate('us-east-1'), ctx);
    expect(p.blockers).toMatchObject([{ code: 'LB_ERR_NO_SERVING_REGION', details: { service: 'batch', region: 'us-east-1' } }]);
    expect(p.blockers[0]!.message).toContain('batch runs only in us-east-1');
    // Asked for alone, it is refused the same way rather than planned as nothing.
    const alone = plan(fleet(services, ['us-east-1', 'us-west-2']), evacuate('us-east-1', { services: ['batch'] }), ctx);
    expect(alone.blockers.map((b) => b.code)).toEqual(['LB_ERR_NO_SERVING_REGION']);
    expect(alone.stages).toEqual([]);
  });

  it('refuses a region lifeboat does not manage', () => {
    const p = plan(fleet(threeRegions()), evacuate('ap-south-1'), ctx);
    expect(p.blockers.map((b) => b.code)).toEqual(['LB_ERR_UNKNOWN_REGION']);
  });

  it('refuses a service no group serves', () => {
    const p = plan(fleet(threeRegions()), evacuate('us-east-1', { services: ['checkout'] }), ctx);
    expect(p.blockers).toMatchObject([{ code: 'LB_ERR_UNKNOWN_SERVICE', details: { service: 'checkout' } }]);
  });

  it('refuses a model that does not exist', () => {
    const p = plan(fleet(threeRegions()), evacuate('us-east-1', { model: 'magic' }), ctx);
    expect(p.blockers.map((b) => b.code)).toEqual(['LB_ERR_UNKNOWN_MODEL']);
  });

  it('refuses to evacuate a region that is already at zero', () => {
    const services = threeRegions().map((s) => ({ ...s, regions: { ...s.regions, 'us-east-1': { ...s.regions['us-east-1']!, weight: 0 } } }));
    const p = plan(fleet(services), evacuate('us-east-1'), ctx);
    expect(p.blockers.map((b) => b.code)).toEqual(['LB_ERR_REGION_ALREADY_EVACUATED']);
  });

  it('refuses a model that lacks a parameter it needs, naming it', () => {
    const p = plan(fleet(threeRegions()), evacuate('us-east-1', { model: 'throughput' }), ctx);
    expect(p.blockers[0]).toMatchObject({ code: 'LB_ERR_MODEL_PARAMETER' });
    expect(p.blockers[0]!.message).toContain('needs parameter demand');
  });

  it('refuses a throughput plan when a survivor has no capacity-per-instance tag', () => {
    const p = plan(fleet(threeRegions()), evacuate('us-east-1', { model: 'throughput', parameters: { demand: 3000 } }), ctx);
    expect(p.blockers[0]).toMatchObject({ code: 'LB_ERR_MODEL_INPUT_MISSING' });
  });
});

describe('other moves', () => {
  it('evacuates only the services asked for, and only their names', () => {
    const p = plan(fleet(threeRegions()), evacuate('us-east-1', { services: ['web'] }), ctx);
    expect(p.names).toEqual(['www.example.com']);
    expect(p.groupChanges.every((c) => c.service === 'web')).toBe(true);
  });

  it('shifts half of a region’s traffic to one named region', () => {
    const p = plan(fleet(threeRegions()), { kind: 'shift', from: 'us-east-1', to: 'eu-west-1', percent: 50, stages: 1, services: ['api'] }, ctx);
    expect(p.blockers).toEqual([]);
    const shares = Object.fromEntries(p.stages[0]!.traffic.map((t) => [t.region, t.share]));
    expect(shares['us-east-1']).toBeCloseTo(1 / 6, 2);
    expect(shares['us-west-2']).toBeCloseTo(1 / 3, 2);
    expect(shares['eu-west-1']).toBeCloseTo(1 / 2, 2);
    // eu-west-1 absorbs 1/6 at 30 per unit → 5, × 1.1 = 5.5 → 16; us-west-2 does not change.
    expect(p.groupChanges.map((c) => [c.group, c.to.desiredCapacity])).toEqual([['api-eu-west-1', 16]]);
  });

  it('capacity-aware distribution sends less to a survivor near its ceiling', () => {
    const p = plan(fleet(threeRegions(12)), evacuate('us-east-1', { services: ['api'], distribution: 'capacity-aware', stages: 1 }), ctx);
    expect(p.blockers).toEqual([]);
    const west = target(p, 'api', 'us-west-2');
    const eu = target(p, 'api', 'eu-west-1');
    expect(west.target).toBeLessThanOrEqual(12);
    expect(west.targetShare).toBeLessThan(eu.targetShare);
    expect(west.targetShare + eu.targetShare).toBeCloseTo(1, 9);
  });

  it('spreads a region’s target over its groups without passing any group’s MaxSize', () => {
    const services: ServiceSpec[] = [
      {
        name: 'api',
        dns: 'api.example.com',
        regions: {
          'us-east-1': { desired: 20, max: 40, weight: 1, groups: 2 },
          'us-west-2': { desired: 20, max: 40, weight: 1, groups: 2 },
        },
      },
    ];
    const p = plan(fleet(services, ['us-east-1', 'us-west-2']), evacuate('us-east-1', { headroom: 0 }), ctx);
    // us-west-2 doubles from 20 to 40, 10 + 10 → 20 + 20.
    expect(p.groupChanges.map((c) => c.to.desiredCapacity)).toEqual([20, 20]);
  });

  it('sizes a service without traffic records by its capacity and moves it with the region', () => {
    const services: ServiceSpec[] = [...threeRegions(), { name: 'worker', regions: { 'us-east-1': { desired: 4 }, 'us-west-2': { desired: 4 }, 'eu-west-1': { desired: 4 } } }];
    const p = plan(fleet(services), evacuate('us-east-1'), ctx);
    // 4 at 1/3 → 12 per unit; absorbs 1/6 → 2, × 1.1 = 2.2 → 6.2 → 7.
    expect(target(p, 'worker', 'us-west-2').target).toBe(7);
    expect(p.warnings.map((w) => w.code)).toContain('SERVICE_WITHOUT_TRAFFIC');
  });

  it('scales one service in one region to an absolute size', () => {
    const p = plan(fleet(threeRegions()), { kind: 'scale', region: 'us-west-2', service: 'api', desiredCapacity: 14 }, ctx);
    expect(p.blockers).toEqual([]);
    expect(p.groupChanges).toEqual([
      { region: 'us-west-2', group: 'api-us-west-2', service: 'api', from: { minSize: 2, desiredCapacity: 10, maxSize: 20 }, to: { minSize: 2, desiredCapacity: 14, maxSize: 20 } },
    ]);
    const over = plan(fleet(threeRegions()), { kind: 'scale', region: 'us-west-2', service: 'api', desiredCapacity: 25 }, ctx);
    expect(over.blockers.map((b) => b.code)).toEqual(['LB_ERR_DESIRED_ABOVE_MAX']);
  });
});

describe('planning a restore', () => {
  const before = fleet(threeRegions());
  /** The fleet after evacuating us-east-1: weights 0/1/1 and survivors pinned at 16 and 17/9. */
  const evacuated = (): ReturnType<typeof fleet> => {
    const s = threeRegions();
    s[0]!.regions = {
      'us-east-1': { desired: 4, min: 2, max: 20, weight: 0 },
      'us-west-2': { desired: 16, min: 16, max: 20, weight: 1 },
      'eu-west-1': { desired: 16, min: 16, max: 20, weight: 1 },
    };
    s[1]!.regions = {
      'us-east-1': { desired: 6, min: 1, max: 30, weight: 0 },
      'us-west-2': { desired: 17, min: 17, max: 30, weight: 2 },
      'eu-west-1': { desired: 9, min: 9, max: 30, weight: 1 },
    };
    return fleet(s);
  };

  it('scales the region back, moves traffic back in stages to the old weights, then unpins survivors', () => {
    const p = plan(evacuated(), { kind: 'restore', region: 'us-east-1', previous: before }, ctx);
    expect(p.blockers).toEqual([]);
    // us-east-1's api was scaled in to 4 by its own policy meanwhile: back to 10, pinned.
    expect(p.groupChanges).toEqual([
      { region: 'us-east-1', group: 'api-us-east-1', service: 'api', from: { minSize: 2, desiredCapacity: 4, maxSize: 20 }, to: { minSize: 10, desiredCapacity: 10, maxSize: 20 } },
      { region: 'us-east-1', group: 'web-us-east-1', service: 'web', from: { minSize: 1, desiredCapacity: 6, maxSize: 30 }, to: { minSize: 6, desiredCapacity: 6, maxSize: 30 } },
    ]);
    const last = p.stages[p.stages.length - 1]!;
    const apiWeights = Object.fromEntries(last.traffic.filter((t) => t.name === 'api.example.com').map((t) => [t.region, t.weight]));
    expect(apiWeights).toEqual({ 'us-east-1': 100, 'us-west-2': 100, 'eu-west-1': 100 });
    expect(p.finalGroupChanges).toContainEqual({
      region: 'us-west-2',
      group: 'api-us-west-2',
      service: 'api',
      from: { minSize: 16, desiredCapacity: 16, maxSize: 20 },
      to: { minSize: 2, desiredCapacity: 16, maxSize: 20 },
    });
    expect(p.finalGroupChanges).toContainEqual(expect.objectContaining({ group: 'api-us-east-1', to: { minSize: 2, desiredCapacity: 10, maxSize: 20 } }));
  });

  it('returns survivors’ DesiredCapacity too when asked', () => {
    const p = plan(evacuated(), { kind: 'restore', region: 'us-east-1', previous: before, scaleDownSurvivors: true }, ctx);
    expect(p.finalGroupChanges).toContainEqual(expect.objectContaining({ group: 'api-us-west-2', to: { minSize: 2, desiredCapacity: 10, maxSize: 20 } }));
  });

  it('keeps a region that is still evacuated at zero, and survivors pinned, while restoring another', () => {
    const s = threeRegions();
    s[0]!.regions = {
      'us-east-1': { desired: 10, min: 2, max: 20, weight: 0 },
      'us-west-2': { desired: 10, min: 2, max: 20, weight: 0 },
      'eu-west-1': { desired: 20, min: 20, max: 20, weight: 1 },
    };
    const p = plan(fleet([s[0]!]), { kind: 'restore', region: 'us-east-1', previous: fleet([threeRegions()[0]!]), stillEvacuated: ['us-west-2'], stages: 1 }, ctx);
    expect(p.blockers).toEqual([]);
    const shares = Object.fromEntries(p.stages[0]!.traffic.map((t) => [t.region, t.share]));
    // us-east-1 gets its old third back; us-west-2 stays out; eu-west-1 keeps the rest.
    expect(shares).toEqual({ 'us-east-1': 1 / 3, 'us-west-2': 0, 'eu-west-1': 2 / 3 });
    expect(p.finalGroupChanges.filter((c) => c.region === 'eu-west-1')).toEqual([]);
    expect(p.warnings.map((w) => w.message).join()).toContain('us-west-2 is still evacuated');
  });

  it('refuses to restore a region that is not evacuated', () => {
    const p = plan(before, { kind: 'restore', region: 'us-east-1', previous: before }, ctx);
    expect(p.blockers.map((b) => b.code)).toEqual(['LB_ERR_REGION_NOT_EVACUATED']);
  });
});
